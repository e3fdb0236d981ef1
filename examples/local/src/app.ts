/**
 * modelship on one machine: an fs registry (`./.modelship` by default, reused across runs), the
 * embedded job runner, the lifecycle controller, the HTTP service (serving and management) and
 * the dashboard on 127.0.0.1, and a traffic simulator that sends predictions and realistic
 * feedback over HTTP so that a candidate visibly ramps and is promoted or rolled back.
 *
 * On first start, every pipeline whose data is available trains its production model as a job;
 * then a challenger is trained as a second job, and the controller takes it from there. Iris is
 * always available (npm package); California and Bangalore need their CSVs
 * (`MODELSHIP_DATA_DIR`, else `../shared/datasets`, else the datasets cache).
 *
 * Beside the serving routes, each seed keeps its own endpoints (`./seed-routes.ts`): Bangalore's
 * `/api/*` and its page at `/bangalore/`, California's `GET /model/info`, Iris's `POST /reload`;
 * Iris also retrains daily at 03:00 (`IRIS_SCHEDULE`).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import {
  closeGracefully,
  createManagementRouter,
  createServingRouter,
  type BusinessRule,
} from '@modelship/adapters-express';
import {
  createController,
  createEmbeddedJobRunner,
  type ControllerEvent,
  type ModelConfig,
  type TrainingSpec,
} from '@modelship/controller';
import { createMemoryOutcomeStore, createRegistry, type Table } from '@modelship/core';
import { createDashboardRouter } from '@modelship/dashboard';
import {
  bangaloreFeatureSpec,
  californiaFeatureSpec,
  findDataDir,
  cleanBangalore,
  irisFeatureSpec,
  loadBangalore,
  loadCalifornia,
  loadIris,
} from '@modelship/datasets';
import { createDriftSink, type DriftSink } from '@modelship/drift';
import { FsStore } from '@modelship/registry-fs';
import { createModelRouter, type ModelRouter } from '@modelship/router';
import express from 'express';
import helmet from 'helmet';
import { createSeedRoutes } from './seed-routes.js';

/** Options of {@link startLocal}. */
export interface LocalOptions {
  /** The registry folder; default `./.modelship`. */
  registryDir?: string;
  /** The port; default `PORT` or 3000 (0: any free port). */
  port?: number;
  /** Send simulated traffic and feedback; default true. */
  simulate?: boolean;
  /** The data folder of California and Bangalore; default `MODELSHIP_DATA_DIR`, else `../shared/datasets`. */
  dataDir?: string;
  /** Which pipelines to run (default every one whose data is available). */
  pipelines?: Array<'iris' | 'california' | 'bangalore'>;
  /** One line per lifecycle event and status message; default none. */
  log?: (line: string) => void;
  /** Requests per second the simulator sends per model; default 40. */
  rps?: number;
  /** Train a challenger after the first production model (and so start a rollout); default true. */
  challenger?: boolean;
}

/** What {@link startLocal} returns. */
export interface LocalHandle {
  /** The base URL, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** The admin token for the management API and the dashboard. */
  adminToken: string;
  /** The pipelines served. */
  pipelines: string[];
  /** Why a pipeline is not served (missing data), by name. */
  skipped: Record<string, string>;
  /** Resolves when every pipeline's first version is deployed and its challenger submitted. */
  ready: Promise<void>;
  /** Stops the simulator, the HTTP server (draining), the controller, the jobs and the registry. */
  close(): Promise<void>;
}

interface Pipeline {
  name: 'iris' | 'california' | 'bangalore';
  production: TrainingSpec;
  challenger: TrainingSpec;
  config: ModelConfig;
  rows: Array<{ input: Record<string, unknown>; truth: number | string }>;
  rules?: BusinessRule;
}

/** Iris's daily retraining schedule (cron): 03:00 every day, in the process's time zone. */
export const IRIS_SCHEDULE = '0 3 * * *';

/**
 * The demo's policy: steps of seconds, not minutes, so that a rollout ends within about two
 * minutes of simulated traffic; and a promotion on a composite gain of +0.02 (the default asks
 * +0.05), which the simulated Bangalore users' stars give the gbdt over the linear model — with
 * the default it would ramp to 50 % and wait for more evidence, as it should on real traffic.
 */
const FAST_POLICY = { minDurationMs: 15_000, minSamples: 50, minGuardrailSamples: 20, promoteThreshold: 0.02 };

function sample(
  table: Table,
  n: number,
  pick: (r: Record<string, unknown>) => Pipeline['rows'][number],
): Pipeline['rows'] {
  const out: Pipeline['rows'] = [];
  const step = Math.max(1, Math.floor(table.numRows / n));
  for (let i = 0; i < table.numRows && out.length < n; i += step) out.push(pick(table.row(i)));
  return out;
}

/** The pipelines whose data is here, and why the others are not. */
export function pipelinesFor(
  dataDir: string | undefined,
  wanted?: string[],
): { pipelines: Pipeline[]; skipped: Record<string, string> } {
  const pipelines: Pipeline[] = [];
  const skipped: Record<string, string> = {};
  const want = (n: string) => wanted === undefined || wanted.includes(n);
  if (want('iris')) {
    const iris = loadIris();
    const base = {
      model: 'iris',
      data: { kind: 'dataset', name: 'iris' },
      task: 'classification',
      target: 'species',
      features: irisFeatureSpec() as unknown as Record<string, unknown>,
    } as const;
    pipelines.push({
      name: 'iris',
      // production: the sepal measurements only (a modest model); the challenger sees all four,
      // so the simulated users' feedback shows it is better within a couple of minutes
      production: {
        ...base,
        features: {
          ...irisFeatureSpec(),
          features: irisFeatureSpec().features.filter((f) => 'column' in f && String(f.column).startsWith('sepal')),
        } as unknown as Record<string, unknown>,
        variants: { logistic: { learner: 'logistic' } },
      },
      challenger: { ...base, variants: { forest: { learner: 'forest', params: { trees: 50, seed: 7 } } } },
      config: {
        rampSteps: [0.1, 0.25, 0.5],
        stepMs: 15_000,
        policy: FAST_POLICY,
        gate: { metric: 'accuracy', tolerance: 0.05 },
        // the seed's daily retraining: the training spec (the challenger's) again at 03:00
        schedule: IRIS_SCHEDULE,
      },
      rows: sample(iris, 150, (r) => ({
        input: {
          sepal_length: r.sepal_length,
          sepal_width: r.sepal_width,
          petal_length: r.petal_length,
          petal_width: r.petal_width,
        },
        truth: String(r.species),
      })),
    });
  }
  const dir = dataDir;
  const have = (file: string) => dir !== undefined && existsSync(join(dir, file));
  if (want('california')) {
    if (have('california_housing.csv')) {
      const t = loadCalifornia({ dataDir: dir! });
      const base = {
        model: 'california',
        data: { kind: 'dataset', name: 'california', dataDir: dir! },
        task: 'regression',
        target: 'median_house_value',
        features: californiaFeatureSpec() as unknown as Record<string, unknown>,
      } as const;
      pipelines.push({
        name: 'california',
        production: { ...base, variants: { linear: { learner: 'linear' } } },
        challenger: { ...base, variants: { gbdt: { learner: 'gbdt', params: { rounds: 100 } } } },
        config: { rampSteps: [0.1, 0.25, 0.5], stepMs: 15_000, policy: FAST_POLICY },
        rows: sample(t, 2000, (r) => {
          const { median_house_value, ...input } = r;
          return { input, truth: Number(median_house_value) / 100_000 };
        }),
        rules: (row) => {
          const r = row as Record<string, unknown>;
          if (
            typeof r.total_rooms === 'number' &&
            typeof r.total_bedrooms === 'number' &&
            r.total_rooms < r.total_bedrooms
          ) {
            return { field: 'total_bedrooms', message: 'total_bedrooms must not exceed total_rooms' };
          }
          return undefined;
        },
      });
    } else skipped.california = `no california_housing.csv in ${dir ?? '(no data folder)'}`;
  }
  if (want('bangalore')) {
    if (have('bengaluru_house_data.csv')) {
      const t = cleanBangalore(loadBangalore({ dataDir: dir! }));
      const base = {
        model: 'bangalore',
        data: { kind: 'dataset', name: 'bangalore', dataDir: dir! },
        task: 'regression',
        target: 'price',
        features: bangaloreFeatureSpec() as unknown as Record<string, unknown>,
      } as const;
      pipelines.push({
        name: 'bangalore',
        production: { ...base, variants: { linear: { learner: 'linear' } } },
        challenger: {
          ...base,
          variants: { gbdt: { learner: 'gbdt', params: { objective: 'absolute', rounds: 300, learningRate: 0.05 } } },
        },
        config: { rampSteps: [0.1, 0.25, 0.5], stepMs: 15_000, policy: FAST_POLICY },
        rows: sample(t, 2000, (r) => ({
          input: { location: r.location, total_sqft: r.total_sqft, bath: r.bath, bhk: r.bhk },
          truth: Number(r.price),
        })),
      });
    } else skipped.bangalore = `no bengaluru_house_data.csv in ${dir ?? '(no data folder)'}`;
  }
  return { pipelines, skipped };
}

/** The stars a Bangalore-style user gives an answer, from its relative error. */
function stars(relErr: number): number {
  return relErr < 0.05 ? 5 : relErr < 0.1 ? 4 : relErr < 0.2 ? 3 : relErr < 0.35 ? 2 : 1;
}

/** Starts modelship locally; see the module comment. */
export async function startLocal(options: LocalOptions = {}): Promise<LocalHandle> {
  const log = options.log ?? (() => {});
  const registryDir = resolve(options.registryDir ?? '.modelship');
  const dataDir =
    options.dataDir ??
    process.env.MODELSHIP_DATA_DIR ??
    // the nearest shared/datasets beside the working directory, else beside this checkout
    findDataDir('california_housing.csv') ??
    findDataDir('california_housing.csv', { from: import.meta.dirname });
  const { pipelines, skipped } = pipelinesFor(dataDir, options.pipelines);
  for (const [n, why] of Object.entries(skipped)) {
    log(`${n}: not served (${why}); set MODELSHIP_DATA_DIR to the folder with the shared CSVs to add it`);
  }
  const registry = createRegistry({ store: new FsStore({ root: registryDir }), actor: 'modelship-local' });
  const outcomes = createMemoryOutcomeStore();
  const jobs = createEmbeddedJobRunner({ registry, concurrency: 1 });
  const sinks: Record<string, DriftSink> = {};
  const routers: Record<string, ModelRouter> = {};
  const hmacKey = randomBytes(32).toString('hex');
  for (const p of pipelines) {
    // windows of 2,000 requests: Bangalore's location has about 240 categories, and PSI over a
    // smaller window would exceed 0.25 by sampling noise alone
    sinks[p.name] = createDriftSink({ window: { kind: 'count', size: 2000 }, checks: ['psi'] });
    routers[p.name] = createModelRouter({
      registry,
      model: p.name,
      hmacKey,
      outcomeStore: outcomes,
      observers: [sinks[p.name]!],
      pollIntervalMs: 500,
    });
  }
  const controller = createController({
    registry,
    outcomes,
    jobs,
    intervalMs: 5000,
    leaseMs: 15_000,
    drift: (model) => sinks[model]?.report('production'),
    models: Object.fromEntries(
      pipelines.map((p) => [p.name, { ...p.config, training: p.challenger, triggers: { degradation: false } }]),
    ),
  });
  const events: ControllerEvent[] = [];
  controller.on('event', (e) => {
    events.push(e);
    if (e.type !== 'lease.acquired')
      log(`${new Date(e.at).toISOString().slice(11, 19)}  ${e.model || 'controller'}: ${e.message}`);
  });
  const adminToken = randomBytes(24).toString('base64url');
  const app = express();
  app.disable('x-powered-by');
  app.use(helmet());
  const management = createManagementRouter({
    registry,
    controller,
    jobs,
    drift: (model) => sinks[model]?.report('production'),
    auth: { tokens: [{ token: adminToken, id: 'local-admin', role: 'admin' }] },
  });
  app.use('/manage', management);
  app.use('/dashboard', createDashboardRouter({ managementPath: '/manage', servingPath: '' }));
  // the seeds' own endpoints (Bangalore's /api/* and page, California's /model/info, Iris's
  // /reload), before the serving router, which answers every unknown path with a 404 problem
  app.use(createSeedRoutes({ registry, routers }));
  const serving = createServingRouter({
    routers,
    registry,
    ...(pipelines[0] ? { defaultModel: pipelines[0].name } : {}),
    helmet: false, // applied app-wide above
    rules: Object.fromEntries(pipelines.filter((p) => p.rules).map((p) => [p.name, p.rules!])),
  });
  app.use('/', serving);
  const port = options.port ?? (process.env.PORT ? Number(process.env.PORT) : 3000);
  const server: Server = await new Promise((res, rej) => {
    const s = app.listen(port, '127.0.0.1', () => res(s));
    s.once('error', rej);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  controller.start();

  // first start: the production model of each pipeline, then its challenger, as jobs
  const ready = (async () => {
    for (const p of pipelines) {
      const versions = await registry.listVersions(p.name).catch(() => []);
      if (versions.length === 0) {
        const job = await jobs.submit(p.production, { trigger: 'manual', idempotencyKey: 'first-production' });
        log(`${p.name}: training its production model (job ${job.id})`);
      }
    }
    for (const p of pipelines) {
      // the router serves once the controller has deployed the first version (revision 1)
      await routers[p.name]!.waitForRevision(1, { timeoutMs: 600_000 });
      const r = await registry.getRollout(p.name);
      if (
        options.challenger !== false &&
        (await registry.listVersions(p.name)).length === 1 &&
        r?.candidate === undefined
      ) {
        const job = await jobs.submit(p.challenger, { trigger: 'manual', idempotencyKey: 'first-challenger' });
        log(`${p.name}: training a challenger (job ${job.id})`);
      }
    }
  })();
  ready.catch((err: unknown) => log(`start-up failed: ${(err as Error).message}`));

  // the traffic simulator: predictions and feedback over HTTP, as users would send them
  let stopped = false;
  const simulate = options.simulate ?? true;
  const rps = options.rps ?? 40;
  const loops = simulate
    ? pipelines.map(async (p, k) => {
        await ready.catch(() => undefined);
        let i = 0;
        while (!stopped) {
          const t0 = Date.now();
          for (let j = 0; j < rps / 5 && !stopped; j++, i++) {
            const row = p.rows[(i * 7919 + k) % p.rows.length]!;
            try {
              const res = await fetch(`${url}/predict`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ model: p.name, row: row.input, unit: `user-${i}` }),
              });
              if (!res.ok) {
                await res.arrayBuffer();
                continue;
              }
              const body = (await res.json()) as { prediction: number | string; requestId: string };
              const value = body.prediction;
              const feedback =
                typeof row.truth === 'string'
                  ? { correct: value === row.truth }
                  : {
                      actual: row.truth,
                      rating: stars(Math.abs(Number(value) - row.truth) / Math.max(1e-9, Math.abs(row.truth))),
                    };
              const fb = await fetch(`${url}/feedback`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ model: p.name, requestId: body.requestId, ...feedback }),
              });
              await fb.arrayBuffer();
            } catch {
              if (stopped) return;
            }
          }
          await new Promise((res) => setTimeout(res, Math.max(0, 200 - (Date.now() - t0))));
        }
      })
    : [];

  return {
    url,
    adminToken,
    pipelines: pipelines.map((p) => p.name),
    skipped,
    ready,
    async close() {
      stopped = true;
      await Promise.allSettled(loops);
      await management.close(); // ends the open event streams, so the drain is not held up by them
      await closeGracefully(server, { routers: Object.values(routers), timeoutMs: 5000 });
      await controller.close();
      await jobs.close();
      await registry.close();
    },
  };
}
