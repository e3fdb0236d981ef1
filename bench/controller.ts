/**
 * Controller benchmarks (`npm run bench -- controller`): does training in the embedded job runner
 * keep serving responsive?
 *
 * - `predict-during-training`: p50 / p99 of single in-process `router.predict` calls of a
 *   California gbdt model (served by `createModelRouter` over an in-memory registry) while a
 *   California forest (`forest`, 100 trees, default settings) trains in the embedded runner's
 *   worker thread, beside the same figures with nothing training (`idle*`). The main thread also
 *   handles the worker's progress messages and writes the job record meanwhile, as a server does.
 *
 * Calls go in batches of 100 with a `setImmediate` between batches (a server yields between
 * requests); each call is timed alone.
 */
import { createRegistry, MemoryStore, type ModelArtifact, type RowValue } from '@modelship/core';
import { modelArtifactCodec } from '@modelship/core/registry';
import { createEmbeddedJobRunner, type TrainingSpec } from '@modelship/controller';
import { californiaFeatureSpec, loadCalifornia, loadSplit } from '@modelship/datasets';
import { createTrainer } from '@modelship/train';
import { createModelRouter } from '@modelship/router';
import { dataDir, loadAverage, quantile, writeResults, type BenchRecord } from './_lib.js';

const BATCH = 100;
const GOAL_P99_MILLIS = 2;

/** Times single predictions until `until()` is true (and at least `minCalls` were made); ms each. */
async function measure(predict: (i: number) => unknown, until: () => boolean, minCalls: number): Promise<Float64Array> {
  const lat: number[] = [];
  let i = 0;
  while (lat.length < minCalls || !until()) {
    for (let k = 0; k < BATCH; k++, i++) {
      const t0 = process.hrtime.bigint();
      predict(i);
      lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return Float64Array.from(lat);
}

const r4 = (x: number) => Math.round(x * 10_000) / 10_000;

async function main(): Promise<void> {
  const dir = dataDir();
  const table = loadCalifornia({ dataDir: dir });
  const split = loadSplit('california_housing', { dataDir: dir });
  const target = 'median_house_value';
  const registry = createRegistry<ModelArtifact>({ store: new MemoryStore(), artifactCodec: modelArtifactCodec });

  // the served model: a California gbdt trained here, registered and rolled out
  const served = await createTrainer({
    task: 'regression',
    features: californiaFeatureSpec(),
    variants: { gbdt: { learner: 'gbdt' } },
    evaluation: { kind: 'holdout', split },
    seed: 42,
  }).fit(table);
  const v = await registry.register('california', served.artifact);
  await registry.setRollout('california', {
    production: v.version,
    weights: { production: 1 },
    mode: 'split',
    salt: 'b',
  });
  const router = createModelRouter({
    registry,
    model: 'california',
    hmacKey: 'bench-hmac-key-0123456789abcdef',
    logCapacity: 0,
  });
  await router.ready();
  const inputs: Array<Record<string, RowValue>> = [];
  for (let k = 0; k < 1024; k++) {
    const { [target]: _y, ...row } = table.row(split.test[k % split.test.length]!);
    inputs.push(row);
  }
  const units = Array.from({ length: 1024 }, (_, k) => `user-${k}`);
  const predict = (i: number) => router.predict(inputs[i & 1023]!, { unit: units[i & 1023]! });

  await measure(predict, () => true, 20_000); // warm-up
  const idle = await measure(predict, () => true, 100_000);

  // the training job: a California forest, 100 trees, default settings, in the embedded runner
  const spec: TrainingSpec = {
    model: 'california-forest',
    data: { kind: 'dataset', name: 'california', dataDir: dir },
    task: 'regression',
    target,
    features: californiaFeatureSpec() as unknown as Record<string, unknown>,
    variants: { forest: { learner: 'forest', params: { trees: 100 } } },
    seed: 42,
  };
  const runner = createEmbeddedJobRunner({ registry, pollMs: 200 });
  let done = false;
  let running = false;
  runner.on('jobStarted', () => {
    running = true;
  });
  const end = new Promise<void>((resolve) => {
    for (const e of ['jobSucceeded', 'jobFailed', 'jobCancelled'] as const)
      runner.on(e, () => {
        done = true;
        resolve();
      });
  });
  const t0 = Date.now();
  const job = await runner.submit(spec, { maxAttempts: 1 });
  while (!running && !done) await new Promise((resolve) => setTimeout(resolve, 5));
  const busy = await measure(predict, () => done, 1_000);
  await end;
  const trainSeconds = (Date.now() - t0) / 1000;
  const record = await runner.get(job.id);
  await runner.close();
  await router.close();
  if (record?.status !== 'succeeded') throw new Error(`the training job ${record?.status}: ${record?.error}`);

  const records: BenchRecord[] = [
    {
      case: 'predict-during-training',
      p99Millis: r4(quantile(busy, 0.99)),
      p50Millis: r4(quantile(busy, 0.5)),
      p999Millis: r4(quantile(busy, 0.999)),
      maxMillis: r4(quantile(busy, 1)),
      calls: busy.length,
      idleP99Millis: r4(quantile(idle, 0.99)),
      idleP50Millis: r4(quantile(idle, 0.5)),
      idleP999Millis: r4(quantile(idle, 0.999)),
      idleMaxMillis: r4(quantile(idle, 1)),
      idleCalls: idle.length,
      trainSeconds: Math.round(trainSeconds * 10) / 10,
      trainedVersion: record.version,
      trainedR2: r4((await registry.getVersion('california-forest', record.version!)).metrics.r2 ?? Number.NaN),
      goalP99Millis: GOAL_P99_MILLIS,
      load: loadAverage(),
      note: 'served: California gbdt through createModelRouter; training: forest, 100 trees, in the embedded runner (worker thread)',
    },
  ];
  writeResults('controller', records);
}

await main();
