/**
 * Router benchmarks (`npm run bench -- router`): the cost of assignment and of routing a
 * prediction, over calling the model directly.
 *
 * - `assign`: keyed assignments per second (80/20, one core, keys prepared beforehand).
 * - `overhead`: p50 of router.predict minus p50 of model.predict (no log, no sinks, no metrics).
 * - `overhead-observed`: the same with the prediction log (ring of 10,000 + a callback sink) and
 *   prom-client metrics on.
 * - extra cases: with an outcome store too, and with the request id read (HMAC signed) per call.
 *
 * Per-call figures are medians over rounds of 1,000 calls (timer resolution and the cost of
 * reading it would swamp single sub-microsecond calls); the model and the router alternate
 * rounds so that both see the same machine load.
 */
import { Registry } from 'prom-client';
import {
  createMemoryOutcomeStore,
  createRegistry,
  loadModel,
  MemoryStore,
  numericColumn,
  Table,
  type ModelArtifact,
} from '@modelship/core';
import { modelArtifactCodec } from '@modelship/core/registry';
import { createTrainer } from '@modelship/train';
import {
  createCallbackSink,
  createModelRouter,
  createTrafficSplitter,
  type ModelRouterOptions,
} from '@modelship/router';
import { latencyMicros, median, writeResults, type BenchRecord } from './_lib.js';

const HMAC_KEY = 'bench-hmac-key-0123456789abcdef';

async function trainLine(slope: number): Promise<ModelArtifact> {
  const xs = Array.from({ length: 500 }, (_, i) => (i % 100) / 10);
  const table = Table.fromColumns([
    numericColumn('x', xs),
    numericColumn(
      'z',
      xs.map((x) => x * x),
    ),
    numericColumn(
      'y',
      xs.map((x, i) => slope * x + 0.1 * x * x + (i % 3)),
    ),
  ]);
  const r = await createTrainer({
    task: 'regression',
    features: {
      features: [
        { type: 'numeric', column: 'x' },
        { type: 'numeric', column: 'z' },
      ],
      target: { column: 'y', kind: 'numeric' },
    },
    variants: { ols: { learner: 'linear' } },
  }).fit(table);
  return r.artifact;
}

function benchAssign(): BenchRecord {
  const n = 1_000_000;
  const keys = Array.from({ length: n }, (_, i) => `user-${i}`);
  const split = createTrafficSplitter({
    variants: [
      { name: 'production', weight: 80 },
      { name: 'candidate', weight: 20 },
    ],
    salt: 'bench-salt',
  });
  let candidate = 0;
  for (let i = 0; i < 200_000; i++) candidate += split.assignIndex(keys[i]!); // warm up
  const rates: number[] = [];
  for (let rep = 0; rep < 7; rep++) {
    candidate = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) candidate += split.assignIndex(keys[i]!);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    rates.push(n / s);
  }
  return {
    case: 'assign',
    perSecond: Math.round(median(rates)),
    best: Math.round(Math.max(...rates)),
    candidateShare: candidate / n,
    keys: n,
    goal: 5_000_000,
  };
}

/** Median per-call µs of each function over `rounds` rounds of `batch` calls, the functions interleaved. */
async function perCall(
  fns: Record<string, (i: number) => unknown>,
  rounds = 300,
  batch = 1000,
): Promise<Record<string, number>> {
  const names = Object.keys(fns);
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  let sink = 0;
  for (let r = -30; r < rounds; r++) {
    for (const name of names) {
      const fn = fns[name]!;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < batch; i++) if (fn(i) === undefined) sink++;
      const us = Number(process.hrtime.bigint() - t0) / 1e3 / batch;
      if (r >= 0) times[name]!.push(us);
      await new Promise((resolve) => setImmediate(resolve)); // a server yields between requests: sinks drain here
    }
  }
  if (sink === -1) console.log(sink);
  return Object.fromEntries(names.map((n) => [n, median(times[n]!)]));
}

async function main(): Promise<void> {
  const records: BenchRecord[] = [benchAssign()];

  const registry = createRegistry<ModelArtifact>({ store: new MemoryStore(), artifactCodec: modelArtifactCodec });
  await registry.register('bench', await trainLine(2));
  await registry.register('bench', await trainLine(3));
  await registry.setRollout('bench', {
    production: 1,
    candidate: 2,
    weights: { production: 0.8, candidate: 0.2 },
    mode: 'split',
    salt: 'b',
  });
  const model = loadModel((await registry.load('bench', 1)).bytes);
  const inputs = Array.from({ length: 1024 }, (_, i) => ({ x: (i % 100) / 10, z: ((i % 100) / 10) ** 2 }));
  const units = Array.from({ length: 1024 }, (_, i) => `user-${i}`);

  const make = async (extra: Partial<ModelRouterOptions>) => {
    const r = createModelRouter({ registry, model: 'bench', hmacKey: HMAC_KEY, logCapacity: 0, ...extra });
    await r.ready();
    return r;
  };
  const bare = await make({});
  const observed = await make({ logCapacity: 10_000, sinks: [createCallbackSink(() => {})], metrics: new Registry() });
  const withOutcomes = await make({
    logCapacity: 10_000,
    sinks: [createCallbackSink(() => {})],
    metrics: new Registry(),
    outcomeStore: createMemoryOutcomeStore(),
  });

  const t = await perCall({
    direct: (i) => model.predict(inputs[i & 1023]!),
    bare: (i) => bare.predict(inputs[i & 1023]!, { unit: units[i & 1023]! }),
    observed: (i) => observed.predict(inputs[i & 1023]!, { unit: units[i & 1023]! }),
    outcomes: (i) => withOutcomes.predict(inputs[i & 1023]!, { unit: units[i & 1023]! }),
    signed: (i) => observed.predict(inputs[i & 1023]!, { unit: units[i & 1023]! }).requestId,
  });
  const round = (x: number) => Math.round(x * 1000) / 1000;
  // Cross-check with single-call timings (each includes the cost of reading the clock, on both sides).
  const single = {
    direct: latencyMicros((i) => model.predict(inputs[i & 1023]!), 50_000, 5_000).p50,
    bare: latencyMicros((i) => bare.predict(inputs[i & 1023]!, { unit: units[i & 1023]! }), 50_000, 5_000).p50,
  };
  await new Promise((resolve) => setImmediate(resolve));
  const singleObserved = latencyMicros(
    (i) => observed.predict(inputs[i & 1023]!, { unit: units[i & 1023]! }),
    20_000,
    2_000,
  ).p50;
  records.push(
    {
      case: 'overhead',
      p50Micros: round(t.bare! - t.direct!),
      routerMicros: round(t.bare!),
      modelMicros: round(t.direct!),
      singleCallP50Micros: round(single.bare - single.direct),
      goal: 2,
      note: 'no log, no sinks, no metrics; request id not read (signed lazily)',
    },
    {
      case: 'overhead-observed',
      p50Micros: round(t.observed! - t.direct!),
      routerMicros: round(t.observed!),
      modelMicros: round(t.direct!),
      singleCallP50Micros: round(singleObserved - single.direct),
      goal: 5,
      note: 'ring of 10,000 + callback sink + prom-client metrics',
    },
    {
      case: 'overhead-observed-outcomes',
      p50Micros: round(t.outcomes! - t.direct!),
      routerMicros: round(t.outcomes!),
      modelMicros: round(t.direct!),
      note: 'as overhead-observed, plus the in-memory outcome store',
    },
    {
      case: 'overhead-observed-signed',
      p50Micros: round(t.signed! - t.direct!),
      routerMicros: round(t.signed!),
      modelMicros: round(t.direct!),
      note: 'as overhead-observed, with requestId read (HMAC-SHA256) on every call',
    },
  );
  await Promise.all([bare.close(), observed.close(), withOutcomes.close()]);
  await registry.close();
  for (const r of records) r.machine = 'shared 2-core machine under parallel load: figures are noisy';
  writeResults('router', records);
}

await main();
