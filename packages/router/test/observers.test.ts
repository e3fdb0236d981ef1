import { describe, expect, it } from 'vitest';
import { isModelshipError, type Logger, numericColumn, Table, type ModelArtifact } from '@modelship/core';
import { createDriftSink, type DriftSinkEvent } from '@modelship/drift';
import { createTrainer } from '@modelship/train';
import { createModelRouter } from '../src/model-router.js';
import type { ServedModelInfo } from '../src/observers.js';
import { HMAC_KEY, fakeLoader, registryWith } from './helpers.js';
import { artifactRegistry } from './real-models.js';

const turn = () => new Promise<void>((r) => setImmediate(r));
const split = (production: number, candidate?: number) =>
  candidate === undefined
    ? { production, weights: { production: 1 }, mode: 'split' as const, salt: 's' }
    : { production, candidate, weights: { production: 0.5, candidate: 0.5 }, mode: 'split' as const, salt: 's' };

/** A linear model y = 2x + 1 trained on x in [lo, lo + 10) (its drift profile is of those rows). */
async function trainOn(lo: number): Promise<ModelArtifact> {
  const xs = Array.from({ length: 400 }, (_, i) => lo + ((i * 7919) % 400) / 40);
  const table = Table.fromColumns([
    numericColumn('x', xs),
    numericColumn(
      'y',
      xs.map((x) => 2 * x + 1),
    ),
  ]);
  const r = await createTrainer({
    task: 'regression',
    features: { features: [{ type: 'numeric', column: 'x' }], target: { column: 'y', kind: 'numeric' } },
    variants: { ols: { learner: 'linear' } },
  }).fit(table);
  return r.artifact;
}

describe('router observers', () => {
  it('are told of every swap and every answered request, off the request path, with the served artifact', async () => {
    const registry = await artifactRegistry('m', [await trainOn(0), await trainOn(100)]);
    await registry.setRollout('m', split(1));
    const swaps: Array<{ served: ServedModelInfo[]; revision: number }> = [];
    const serves: Array<{ served: ServedModelInfo; input: unknown; prediction: unknown }> = [];
    const router = createModelRouter({
      registry,
      model: 'm',
      hmacKey: HMAC_KEY,
      observers: [
        {
          onServe: (served, input, prediction) => serves.push({ served, input, prediction }),
          onSwap: (served, rollout) => swaps.push({ served: [...served], revision: rollout.revision }),
        },
      ],
    });
    await router.ready();
    const r = router.predict({ x: 3 });
    expect(serves).toHaveLength(0); // not on the request path
    await turn();
    expect(swaps.map((s) => [s.revision, s.served.map((v) => `${v.variant}@${v.version}`)])).toEqual([
      [1, ['production@1']],
    ]);
    expect(swaps[0]!.served[0]!.artifact?.profile).toBeDefined();
    expect(serves).toHaveLength(1);
    expect(serves[0]!.served).toMatchObject({ model: 'm', variant: 'production', version: 1 });
    expect(serves[0]!.served.artifact).toBe(swaps[0]!.served[0]!.artifact);
    expect(serves[0]!.input).toEqual({ x: 3 });
    expect(serves[0]!.prediction).toEqual(r.prediction);

    const { revision } = await registry.setRollout('m', split(1, 2));
    await router.waitForRevision(revision);
    await turn();
    expect(swaps.at(-1)!.served.map((v) => `${v.variant}@${v.version}`)).toEqual(['production@1', 'candidate@2']);
    for (let i = 0; i < 20; i++) router.predict({ x: 3 }, { unit: `u${i}` });
    await turn();
    const versions = new Set(serves.slice(1).map((s) => `${s.served.variant}@${s.served.version}`));
    expect(versions).toEqual(new Set(['production@1', 'candidate@2']));
    await router.close();
  });

  it('an observer that throws is logged and never breaks a request; a bad observer is an option error', async () => {
    const registry = await registryWith('m', [{ kind: 'linear', factor: 2 }]);
    await registry.setRollout('m', split(1));
    const errors: string[] = [];
    const logger = {
      debug() {},
      info() {},
      warn() {},
      error: (_o: unknown, m?: string) => errors.push(m ?? ''),
      child: () => logger,
    } as unknown as Logger;
    const seen: number[] = [];
    const router = createModelRouter({
      registry,
      model: 'm',
      hmacKey: HMAC_KEY,
      loadModel: fakeLoader,
      logger,
      observers: [
        {
          onServe() {
            throw new Error('observer bug');
          },
          onSwap() {
            throw new Error('observer bug');
          },
        },
        { onServe: (s) => seen.push(s.version) },
      ],
    });
    await router.ready();
    for (let i = 0; i < 3; i++) expect(router.predict<number>({ x: 2 }).prediction).toBe(4);
    await turn();
    expect(seen).toEqual([1, 1, 1]); // the next observer still gets every call
    expect(errors.filter((m) => m === 'router observer failed')).toHaveLength(4);
    expect(router.observerDropped).toBe(0);
    await router.close();
    expect(() => createModelRouter({ registry, model: 'm', hmacKey: HMAC_KEY, observers: [{} as never] })).toThrowError(
      /observers/,
    );
  });

  it("with createDriftSink: drift is raised on the served version, and the swap to v2 makes the sink use v2's profile", async () => {
    // v1 trained on x in [0, 10), v2 on x in [100, 110)
    const registry = await artifactRegistry('m', [await trainOn(0), await trainOn(100)]);
    await registry.setRollout('m', split(1));
    const sink = createDriftSink({ window: { kind: 'count', size: 200 } });
    const detected: DriftSinkEvent[] = [];
    const closed: DriftSinkEvent[] = [];
    sink.on('driftDetected', (e) => detected.push(e));
    sink.on('windowClosed', (e) => closed.push(e));
    const router = createModelRouter({ registry, model: 'm', hmacKey: HMAC_KEY, observers: [sink] });
    await router.ready();
    const live = Array.from({ length: 200 }, (_, i) => ({ x: 100 + (i * 37) / 740 }));
    for (const row of live) router.predict(row);
    await turn();
    expect(sink.monitorOf()?.version).toBe(1);
    expect(detected.map((e) => [e.variant, e.version])).toEqual([['production', 1]]);
    expect(detected[0]!.report.features.find((f) => f.feature === 'x')?.drifted).toBe(true);
    expect(detected[0]!.report.prediction?.drifted).toBe(true);

    const { revision } = await registry.setRollout('m', split(2));
    await router.waitForRevision(revision);
    for (const row of live) router.predict(row);
    await turn();
    expect(sink.monitorOf()?.version).toBe(2);
    expect(closed.map((e) => [e.version, e.report.summary.verdict])).toEqual([
      [1, 'drift'],
      [2, 'no-drift'],
    ]);
    expect(detected).toHaveLength(1);
    await router.close();
  });
});

describe('router.waitForRevision', () => {
  it('resolves after setRollout (from the swap), at once for a revision already served', async () => {
    const registry = await registryWith('m', [
      { kind: 'linear', factor: 1 },
      { kind: 'linear', factor: 2 },
    ]);
    await registry.setRollout('m', split(1));
    const router = createModelRouter({ registry, model: 'm', hmacKey: HMAC_KEY, loadModel: fakeLoader });
    expect((await router.waitForRevision(1)).revision).toBe(1); // before ready(): waits for the first load
    expect((await router.waitForRevision(0)).production).toBe(1);
    const waiting = router.waitForRevision(2, { timeoutMs: 10_000 });
    const { revision } = await registry.setRollout('m', split(2));
    expect(revision).toBe(2);
    const rollout = await waiting;
    expect(rollout).toMatchObject({ revision: 2, production: 2 });
    expect(router.rollout?.revision).toBe(2);
    expect(router.predict<number>({ x: 3 }).prediction).toBe(6);
    await router.close();
  });

  it('a replica that only polls resolves too (it reads the rollout again when asked)', async () => {
    const registry = await registryWith('m', [
      { kind: 'linear', factor: 1 },
      { kind: 'linear', factor: 2 },
    ]);
    await registry.setRollout('m', split(1));
    const pollingOnly = {
      getRollout: registry.getRollout.bind(registry),
      watch: registry.watch.bind(registry),
      load: registry.load.bind(registry),
    };
    // a poll interval far beyond the test: only the nudge of waitForRevision can bring revision 2 in time
    const router = createModelRouter({
      registry: pollingOnly,
      model: 'm',
      hmacKey: HMAC_KEY,
      loadModel: fakeLoader,
      pollIntervalMs: 600_000,
    });
    await router.ready();
    await registry.setRollout('m', split(2));
    expect((await router.waitForRevision(2, { timeoutMs: 5000 })).production).toBe(2);
    await router.close();
  });

  it('rejects with RouterError on timeout, abort, close and bad arguments', async () => {
    const registry = await registryWith('m', [{ kind: 'linear', factor: 1 }]);
    await registry.setRollout('m', split(1));
    const router = createModelRouter({ registry, model: 'm', hmacKey: HMAC_KEY, loadModel: fakeLoader });
    await router.ready();
    const t0 = Date.now();
    const timeout = await router.waitForRevision(5, { timeoutMs: 30 }).catch((e: unknown) => e);
    expect(isModelshipError(timeout, 'RouterError', 'TIMEOUT')).toBe(true);
    expect((timeout as Error).message).toMatch(/did not reach revision 5 within 30 ms \(serving revision 1\)/);
    expect(Date.now() - t0).toBeLessThan(5000);

    const ac = new AbortController();
    const aborted = router.waitForRevision(5, { signal: ac.signal }).catch((e: unknown) => e);
    ac.abort(new Error('shutting down'));
    const err = await aborted;
    expect(isModelshipError(err, 'RouterError', 'ABORTED')).toBe(true);
    expect((err as Error).cause).toEqual(new Error('shutting down'));
    const pre = await router.waitForRevision(5, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(isModelshipError(pre, 'RouterError', 'ABORTED')).toBe(true);

    for (const [rev, opts] of [
      [-1, {}],
      [1.5, {}],
      [2, { timeoutMs: 0 }],
    ] as const) {
      const bad = await router.waitForRevision(rev, opts).catch((e: unknown) => e);
      expect(isModelshipError(bad, 'RouterError', 'INVALID_OPTIONS'), String(rev)).toBe(true);
    }

    const pending = router.waitForRevision(5, { timeoutMs: Number.POSITIVE_INFINITY }).catch((e: unknown) => e);
    await router.close();
    expect(isModelshipError(await pending, 'RouterError', 'CLOSED')).toBe(true);
    const after = await router.waitForRevision(1).catch((e: unknown) => e);
    expect(isModelshipError(after, 'RouterError', 'CLOSED')).toBe(true);
  });
});
