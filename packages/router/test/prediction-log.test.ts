import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createModelRouter } from '../src/model-router.js';
import { createPredictionLog, type LoggedPrediction, type PredictionRecord } from '../src/prediction-log.js';
import { createCallbackSink, createJsonLinesSink } from '../src/sinks.js';
import { HMAC_KEY, fakeLoader, loadFailureLogger, registryWith, untilRevision } from './helpers.js';

const rec = (i: number, input: unknown = { x: i, email: `u${i}@example.com` }): PredictionRecord => ({
  requestId: `id-${i}`,
  time: 1000 + i,
  model: 'm',
  variant: 'production',
  modelVersion: 1,
  latencyMs: 0.1,
  prediction: i * 2,
  input,
});

describe('prediction log', () => {
  it('keeps the last `capacity` records in a ring, oldest first', () => {
    const log = createPredictionLog({ capacity: 3 });
    for (let i = 0; i < 5; i++) log.record(rec(i));
    expect(log.recent().map((r) => r.requestId)).toEqual(['id-2', 'id-3', 'id-4']);
    expect(log.recent(2).map((r) => r.requestId)).toEqual(['id-3', 'id-4']);
    expect(createPredictionLog({ capacity: 0 }).recent()).toEqual([]);
  });

  it('delivers batches to sinks off the request path, with inputs redacted as configured', async () => {
    const batches: (readonly LoggedPrediction[])[] = [];
    const log = createPredictionLog({
      capacity: 0,
      sinks: [createCallbackSink((b) => void batches.push(b))],
      redactInput: ['email'],
    });
    for (let i = 0; i < 100; i++) log.record(rec(i));
    expect(batches).toHaveLength(0); // nothing happened synchronously
    await new Promise((r) => setImmediate(r));
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(100);
    expect(batches[0]![7]).toEqual({
      requestId: 'id-7',
      time: 1007,
      model: 'm',
      variant: 'production',
      modelVersion: 1,
      latencyMs: 0.1,
      prediction: 14,
      input: { x: 7, email: '[redacted]' },
    });
    const dropInputs = createPredictionLog({ redactInput: true });
    dropInputs.record(rec(1));
    expect(dropInputs.recent()[0]).not.toHaveProperty('input');
    const mapped = createPredictionLog({ redactInput: (i) => ({ x: (i as { x: number }).x }) });
    mapped.record(rec(2));
    expect(mapped.recent()[0]!.input).toEqual({ x: 2 });
  });

  it('survives a failing sink (counted, logged) and bounds pending records', async () => {
    const errors: unknown[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (o: object) => void errors.push(o) };
    const good: LoggedPrediction[] = [];
    const log = createPredictionLog({
      capacity: 0,
      maxPending: 10,
      logger,
      sinks: [{ write: () => Promise.reject(new Error('disk full')) }, createCallbackSink((b) => void good.push(...b))],
    });
    for (let i = 0; i < 25; i++) log.record(rec(i));
    await log.flush();
    expect(log.dropped).toBe(15);
    expect(good.map((r) => r.requestId)).toEqual(Array.from({ length: 10 }, (_, i) => `id-${i}`));
    expect(log.failed).toBe(10);
    expect(errors).toHaveLength(1);
  });

  it('writes JSON lines through the router, including the signed request id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelship-router-'));
    try {
      const path = join(dir, 'predictions.jsonl');
      const registry = await registryWith('m', [{ kind: 'linear', factor: 1 }]);
      await registry.setRollout('m', { production: 1, weights: { production: 1 }, mode: 'split', salt: 's' });
      const router = createModelRouter({
        registry,
        model: 'm',
        hmacKey: HMAC_KEY,
        loadModel: fakeLoader,
        sinks: [createJsonLinesSink({ path })],
        redactInput: ['secret'],
      });
      await router.ready();
      const results = [];
      for (let x = 0; x < 50; x++) results.push(router.predict({ x, secret: 'pw' }));
      await router.close();
      const lines = readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines).toHaveLength(50);
      expect(lines[9]).toMatchObject({
        requestId: results[9]!.requestId,
        variant: 'production',
        modelVersion: 1,
        prediction: 9,
        input: { x: 9, secret: '[redacted]' },
      });
      expect(typeof lines[9].time).toBe('number');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('metrics and events', () => {
  it('exposes latency, predictions and swaps on the registry passed in (never the global one)', async () => {
    const registry = await registryWith('m', [
      { kind: 'linear', factor: 1 },
      { kind: 'linear', factor: 2 },
    ]);
    await registry.setRollout('m', {
      production: 1,
      candidate: 2,
      weights: { production: 0.5, candidate: 0.5 },
      mode: 'split',
      salt: 's',
    });
    const prom = new Registry();
    const router = createModelRouter({ registry, model: 'm', hmacKey: HMAC_KEY, loadModel: fakeLoader, metrics: prom });
    const swapped: number[] = [];
    router.on('modelSwapped', (e) => swapped.push(e.rollout.production));
    router.on('modelSwapped', () => {
      throw new Error('listener bug');
    });
    await router.ready();
    for (let i = 0; i < 100; i++) router.predict({ x: i }, { unit: `u${i}` });
    const text = await prom.metrics();
    const count = (variant: string, v: number) =>
      Number(
        new RegExp(`modelship_predictions_total\\{model="m",variant="${variant}",model_version="${v}"\\} (\\d+)`).exec(
          text,
        )?.[1] ?? 0,
      );
    expect(count('production', 1) + count('candidate', 2)).toBe(100);
    expect(text).toMatch(
      /modelship_prediction_duration_seconds_count\{model="m",variant="candidate",model_version="2"\} \d+/,
    );
    expect(text).toContain('modelship_model_swaps_total{model="m"} 1');
    await registry.setRollout('m', { production: 2, weights: { production: 1 }, mode: 'split', salt: 's' });
    await untilRevision(router, 2);
    expect(swapped).toEqual([1, 2]);
    expect(await prom.metrics()).toContain('modelship_model_swaps_total{model="m"} 2');
    // A second router of another model shares the registry's metrics.
    const registry2 = await registryWith('n', [{ kind: 'linear', factor: 1 }]);
    await registry2.setRollout('n', { production: 1, weights: { production: 1 }, mode: 'split', salt: 's' });
    const other = createModelRouter({
      registry: registry2,
      model: 'n',
      hmacKey: HMAC_KEY,
      loadModel: fakeLoader,
      metrics: prom,
    });
    await other.ready();
    other.predict({ x: 1 });
    expect(await prom.metrics()).toContain(
      'modelship_predictions_total{model="n",variant="production",model_version="1"} 1',
    );
    await Promise.all([router.close(), other.close()]);
  });

  it('rejects bad options naming the field', async () => {
    const registry = await registryWith('m', [{ kind: 'linear', factor: 1 }]);
    expect(() => createModelRouter({ registry, model: '', hmacKey: HMAC_KEY })).toThrow(/model/);
    expect(() => createModelRouter({ registry: {} as never, model: 'm', hmacKey: HMAC_KEY })).toThrow(
      /registry with getRollout, watch and load/,
    );
    expect(() => createModelRouter({ registry, model: 'm', hmacKey: 'short', loadModel: fakeLoader })).toThrow(
      /hmacKey: expected at least 16 bytes/,
    );
    expect(() => createModelRouter({ registry, model: 'm', hmacKey: HMAC_KEY, candidateTimeoutMs: -1 })).toThrow(
      /candidateTimeoutMs/,
    );
  });

  it('reports NOT_READY when the model has no rollout, then serves once one is set', async () => {
    const registry = await registryWith('m', [{ kind: 'linear', factor: 1 }]);
    const router = createModelRouter({
      registry,
      model: 'm',
      hmacKey: HMAC_KEY,
      loadModel: fakeLoader,
      pollIntervalMs: 10,
    });
    await expect(router.ready()).rejects.toMatchObject({ name: 'RouterError', code: 'NOT_READY' });
    expect(() => router.predict({ x: 1 })).toThrow(/has not loaded a rollout yet/);
    const swapped = new Promise((r) => router.once('modelSwapped', r));
    await registry.setRollout('m', { production: 1, weights: { production: 1 }, mode: 'split', salt: 's' });
    await swapped;
    expect(router.predict<number>({ x: 4 }).prediction).toBe(4);
    await router.close();
  });

  it('keeps serving the previous rollout when a new version fails to load', async () => {
    const registry = await registryWith('m', [
      { kind: 'linear', factor: 1 },
      { kind: 'linear', factor: 2 },
    ]);
    await registry.setRollout('m', { production: 1, weights: { production: 1 }, mode: 'split', salt: 's' });
    const loadModel = (bytes: Uint8Array, info: { version: number }) => {
      if (info.version === 2) throw new Error('corrupt artifact');
      return fakeLoader(bytes);
    };
    const { logger, loadFailed } = loadFailureLogger();
    const router = createModelRouter({
      registry,
      model: 'm',
      hmacKey: HMAC_KEY,
      loadModel,
      pollIntervalMs: 10,
      logger,
    });
    await router.ready();
    await registry.setRollout('m', { production: 2, weights: { production: 1 }, mode: 'split', salt: 's' });
    await loadFailed; // the failed load happened (not merely a fixed wait that a loaded machine could outlast)
    expect(router.rollout!.revision).toBe(1);
    expect(router.predict({ x: 3 })).toMatchObject({ modelVersion: 1, prediction: 3 });
    await router.close();
  });
});
