/** Shared pieces of the serving tests: a trained model in a memory registry, the app on 127.0.0.1. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createRegistry, MemoryStore, Table, type ModelRegistry } from '@modelship/core';
import { createMemoryOutcomeStore } from '@modelship/core';
import { createModelRouter, type ModelRouter } from '@modelship/router';
import { createTrainer } from '@modelship/train';
import express from 'express';
import { Registry } from 'prom-client';
import { createServingRouter, type ServingRouter, type ServingRouterOptions } from '../src/index.js';

/** y = a·rooms + b·bedrooms + noise, seeded. */
export function rows(
  n: number,
  seed: number,
  slope = 3,
): Array<{ rooms: number; bedrooms: number; city: string; y: number }> {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const out = [];
  for (let i = 0; i < n; i++) {
    const bedrooms = 1 + Math.floor(u() * 4);
    const rooms = bedrooms + Math.floor(u() * 4);
    const city = u() < 0.5 ? 'a' : 'b';
    out.push({ rooms, bedrooms, city, y: slope * rooms + bedrooms + (city === 'a' ? 1 : 0) + u() });
  }
  return out;
}

export async function trainLinear(slope: number) {
  const trainer = createTrainer({
    task: 'regression',
    target: 'y',
    features: {
      features: [
        { type: 'numeric', column: 'rooms' },
        { type: 'numeric', column: 'bedrooms' },
        { type: 'onehot', column: 'city' },
      ],
    },
    variants: { linear: { learner: 'linear' } },
    evaluation: { kind: 'holdout', testFraction: 0.2 },
  } as never);
  return (await trainer.fit(Table.fromRows(rows(300, slope * 7, slope)))).artifact;
}

/** The same data as {@link trainLinear}, fitted by the gbdt learner (explainable by TreeSHAP). */
export async function trainGbdtHouses(seed: number) {
  const trainer = createTrainer({
    task: 'regression',
    target: 'y',
    features: {
      features: [
        { type: 'numeric', column: 'rooms' },
        { type: 'numeric', column: 'bedrooms' },
        { type: 'onehot', column: 'city' },
      ],
    },
    variants: { gbdt: { learner: 'gbdt', params: { rounds: 30, maxLeaves: 8, minSamplesLeaf: 5 } } },
    evaluation: { kind: 'holdout', testFraction: 0.2 },
  } as never);
  return (await trainer.fit(Table.fromRows(rows(300, seed)))).artifact;
}

export interface Served {
  registry: ModelRegistry;
  router: ModelRouter;
  serving: ServingRouter;
  server: Server;
  base: string;
  metrics: Registry;
  close(): Promise<void>;
}

/** What a test may change of the model router the fixture builds. */
interface FixtureRouterOptions {
  /** How often the router polls the registry (ms). Default 50. */
  readonly pollIntervalMs?: number;
}

export async function startServing(
  extra: Partial<ServingRouterOptions> = {},
  versions = 2,
  routerOptions: FixtureRouterOptions = {},
  train: (version: number) => ReturnType<typeof trainLinear> = (v) => trainLinear(2 + v),
): Promise<Served> {
  const registry = createRegistry({ store: new MemoryStore() });
  for (let v = 1; v <= versions; v++) await registry.register('houses', await train(v));
  await registry.deploy('houses', 1);
  const metrics = new Registry();
  const router = createModelRouter({
    registry,
    model: 'houses',
    hmacKey: 'serving-test-key-0123456789',
    metrics,
    outcomeStore: createMemoryOutcomeStore(),
    pollIntervalMs: routerOptions.pollIntervalMs ?? 50,
  });
  const serving = createServingRouter({ router, registry: registry as never, metrics, mlflow: true, ...extra });
  await serving.ready();
  const app = express();
  app.use(serving);
  const server = await new Promise<Server>((res) => {
    const s = app.listen(0, '127.0.0.1', () => res(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    registry,
    router,
    serving,
    server,
    metrics,
    base: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await serving.close();
    },
  };
}
