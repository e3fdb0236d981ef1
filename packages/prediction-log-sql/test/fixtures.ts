import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createRegistry, MemoryStore, numericColumn, Table, type ModelArtifact } from '@modelship/core';
import { modelArtifactCodec } from '@modelship/core/registry';
import { createModelRouter, type ModelRouter, type PredictionSink } from '@modelship/router';
import { createTrainer } from '@modelship/train';
import type { LoggedPredictionInput } from '../src/index.js';

/** A real linear model (core's trainer) on `y = slope·x + 1`, so the answering version shows in the prediction. */
async function trainLine(slope: number): Promise<ModelArtifact> {
  const xs = Array.from({ length: 200 }, (_, i) => 1 + (i % 50) + (i % 7) / 10);
  const table = Table.fromColumns([
    numericColumn('x', xs),
    numericColumn(
      'y',
      xs.map((x, i) => slope * x + 1 + ((i % 3) - 1) * 1e-3),
    ),
  ]);
  const r = await createTrainer({
    task: 'regression',
    features: { features: [{ type: 'numeric', column: 'x' }], target: { column: 'y', kind: 'numeric' } },
    variants: { ols: { learner: 'linear' } },
  }).fit(table);
  return r.artifact;
}

let artifacts: Promise<[ModelArtifact, ModelArtifact]> | undefined;

/**
 * A real router over a memory registry with two trained versions split 50/50 (production slope 2,
 * candidate slope 3), logging to `sinks`.
 */
export async function lineRouter(sinks: readonly PredictionSink[], model = 'line'): Promise<ModelRouter> {
  artifacts ??= Promise.all([trainLine(2), trainLine(3)]);
  const [a, b] = await artifacts;
  const registry = createRegistry<ModelArtifact>({ store: new MemoryStore(), artifactCodec: modelArtifactCodec });
  await registry.register(model, a);
  await registry.register(model, b);
  await registry.setRollout(model, {
    production: 1,
    candidate: 2,
    weights: { production: 0.5, candidate: 0.5 },
    mode: 'split',
    salt: 'sql-sink',
  });
  const router = createModelRouter({
    registry,
    model,
    hmacKey: 'prediction-log-sql-test-hmac-key-0123456789',
    sinks,
    logCapacity: 0,
  });
  await router.ready();
  return router;
}

/** Serves `n` requests; returns what each answered (the request path must never throw). */
export function serve(
  router: ModelRouter,
  n: number,
  from = 0,
): Array<{ requestId: string; variant: string; value: number }> {
  const out: Array<{ requestId: string; variant: string; value: number }> = [];
  for (let i = from; i < from + n; i++) {
    const r = router.predict<{ value: number }>({ x: 1 + (i % 40) }, { unit: `user-${i}` });
    out.push({ requestId: r.requestId, variant: r.variant, value: r.prediction.value });
  }
  return out;
}

/** A plain logged prediction, as the router hands one to a sink. */
export function logged(i: number, over: Partial<LoggedPredictionInput> = {}): LoggedPredictionInput {
  return {
    requestId: `req-${String(i).padStart(6, '0')}`,
    time: 1_700_000_000_000 + i * 1000,
    model: 'm',
    variant: i % 2 === 0 ? 'production' : 'candidate',
    modelVersion: i % 2 === 0 ? 1 : 2,
    latencyMs: 0.25,
    prediction: { value: i * 2 },
    input: { x: i, tags: new Float64Array([i, i + 0.5]) },
    ...over,
  };
}

/** Polls `cond` until it holds (or fails after `ms`). */
export async function until(cond: () => boolean | Promise<boolean>, ms = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Percentile of a sorted array. */
export function pct(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** Event-loop delay (ms beyond the 1 ms resolution: p50, p99, max) while `fn` runs. */
export async function loopDelay(fn: () => Promise<void>): Promise<{ p50: number; p99: number; max: number }> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  await fn();
  h.disable();
  const ms = (ns: number): number => +Math.max(0, ns / 1e6 - 1).toFixed(3);
  return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
}
