import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createMemoryOutcomeStore, isModelshipError, mergeExperimentAggregates } from '@modelship/core';
import { createModelRouter, type ModelRouter } from '../src/model-router.js';
import type { PredictionResult } from '../src/routed-prediction.js';
import { HMAC_KEY, fakeLoader, registryWith, stepTimer } from './helpers.js';

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    return isModelshipError(err) ? `${err.name}:${err.code}` : String(err);
  }
  return undefined;
}

describe('ModelRouter (core registry over MemoryStore)', () => {
  it('serves the rollout, returns { prediction, variant, modelVersion, requestId, latencyMs } and is sticky per unit', async () => {
    const registry = await registryWith('m', [
      { kind: 'linear', factor: 1 },
      { kind: 'linear', factor: 2 },
    ]);
    await registry.setRollout('m', {
      production: 1,
      candidate: 2,
      weights: { production: 0.8, candidate: 0.2 },
      mode: 'split',
      salt: 's1',
    });
    const router = createModelRouter({
      registry,
      model: 'm',
      hmacKey: HMAC_KEY,
      loadModel: fakeLoader,
      pollIntervalMs: 20,
    });
    await router.ready();
    const r = router.predict<number>({ x: 3 }, { unit: 'user-7' });
    expect(r).toMatchObject({
      variant: expect.stringMatching(/^(production|candidate)$/),
      requestId: expect.stringMatching(/^[\w-]+$/),
    });
    expect(r.prediction).toBe(r.variant === 'production' ? 3 : 6);
    expect(r.modelVersion).toBe(r.variant === 'production' ? 1 : 2);
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(JSON.stringify(r))).toEqual({
      prediction: r.prediction,
      variant: r.variant,
      modelVersion: r.modelVersion,
      requestId: r.requestId,
      latencyMs: r.latencyMs,
    });
    for (let i = 0; i < 20; i++) expect(router.predict({ x: 1 }, { unit: 'user-7' }).variant).toBe(r.variant);
    let candidates = 0;
    for (let i = 0; i < 10_000; i++)
      if (router.predict({ x: 1 }, { unit: `u${i}` }).variant === 'candidate') candidates++;
    expect(candidates / 10_000).toBeGreaterThan(0.18);
    expect(candidates / 10_000).toBeLessThan(0.22);
    expect(router.predict({ x: 1 }, { unit: 'user-7', override: 'candidate' }).modelVersion).toBe(2);
    expect(await codeOf(() => router.predict({ x: 1 }, { override: 'canary' }))).toBe('RouterError:UNKNOWN_VARIANT');
    expect(router.predict({ x: 1 })).not.toBeInstanceOf(Promise); // synchronous with a synchronous model
    const batch = router.predictBatch<number>([{ x: 1 }, { x: 2 }], { units: ['a', 'b'] });
    expect(() => router.predictBatch([{ x: 1 }], { units: ['a', 'b'] })).toThrow(/units: expected 1 entries/);
    expect(batch.map((b) => b.prediction / b.modelVersion)).toEqual([1, 2]);
    await router.close();
    expect(await codeOf(() => router.predict({ x: 1 }))).toBe('RouterError:CLOSED');
  });

  it('rejects bad input with a ValidationError naming the field, counted as a client error, not a candidate failure', async () => {
    const registry = await registryWith('m', [
      { kind: 'linear', factor: 1 },
      { kind: 'linear', factor: 2 },
    ]);
    await registry.setRollout('m', {
      production: 1,
      candidate: 2,
      weights: { production: 0, candidate: 1 },
      mode: 'split',
      salt: 's',
    });
    const metrics = new Registry();
    const outcomes = createMemoryOutcomeStore();
    const router = createModelRouter({
      registry,
      model: 'm',
      hmacKey: HMAC_KEY,
      loadModel: fakeLoader,
      metrics,
      outcomeStore: outcomes,
    });
    await router.ready();
    let err: unknown;
    try {
      router.predict({ x: 'big' });
    } catch (e) {
      err = e;
    }
    expect(isModelshipError(err, 'ValidationError', 'INVALID_INPUT')).toBe(true);
    expect((err as Error).message).toMatch(/^x: expected a finite number/);
    const text = await metrics.metrics();
    expect(text).toMatch(/modelship_prediction_errors_total\{model="m",variant="production",kind="client"\} 1/);
    expect(text).not.toMatch(/modelship_fallbacks_total\{/);
    expect(outcomes.aggregates('m').variants.candidate).toMatchObject({ requests: 0, errors: 0, fallbacks: 0 });
    await router.close();
  });

  it('answers with production when the candidate throws on 10 % of inputs: no failed response, failures counted on the candidate', async () => {
    const registry = await registryWith('m', [
      { kind: 'linear', factor: 1 },
      { kind: 'flaky', factor: 2 },
    ]);
    await registry.setRollout('m', {
      production: 1,
      candidate: 2,
      weights: { production: 0.5, candidate: 0.5 },
      mode: 'split',
      salt: 's',
    });
    const metrics = new Registry();
    const outcomes = createMemoryOutcomeStore();
    const router = createModelRouter({
      registry,
      model: 'm',
      hmacKey: HMAC_KEY,
      loadModel: fakeLoader,
      metrics,
      outcomeStore: outcomes,
    });
    const events: string[] = [];
    router.on('fallbackUsed', (e) => events.push(`${e.variant}@${e.modelVersion}:${e.reason}`));
    router.on('fallbackUsed', () => {
      throw new Error('a broken listener must not break predictions');
    });
    await router.ready();
    let assignedToCandidate = 0;
    let expectedFallbacks = 0;
    for (let x = 0; x < 10_000; x++) {
      const unit = `u${x}`;
      const r = router.predict<number>({ x }, { unit });
      const assigned = router.rollout && createAssign(router, unit);
      if (assigned === 'candidate') {
        assignedToCandidate++;
        if (x % 10 === 0) {
          expectedFallbacks++;
          expect(r).toMatchObject({
            variant: 'production',
            modelVersion: 1,
            prediction: x,
            fallback: { from: 'candidate', fromVersion: 2, reason: 'error' },
          });
        } else expect(r).toMatchObject({ variant: 'candidate', prediction: 2 * x });
      } else expect(r).toMatchObject({ variant: 'production', prediction: x });
    }
    expect(expectedFallbacks).toBeGreaterThan(400);
    expect(events).toHaveLength(expectedFallbacks);
    expect(events[0]).toBe('candidate@2:error');
    const agg = outcomes.aggregates('m');
    expect(agg.variants.candidate).toMatchObject({
      requests: assignedToCandidate,
      errors: expectedFallbacks,
      fallbacks: expectedFallbacks,
    });
    expect(agg.variants.production).toMatchObject({ errors: 0, fallbacks: 0, requests: 10_000 - assignedToCandidate });
    expect(await metrics.metrics()).toContain(
      `modelship_fallbacks_total{model="m",variant="candidate",model_version="2",reason="error"} ${expectedFallbacks}`,
    );
    const current = await router.aggregates();
    expect(current.weights).toEqual({ production: 0.5, candidate: 0.5 });
    expect(current.variants.candidate).toMatchObject({ modelVersion: '2', fallbacks: expectedFallbacks });
    await router.close();
  });

  it('falls back on a non-finite answer and on a candidate slower than candidateTimeoutMs', async () => {
    const registry = await registryWith('m', [
      { kind: 'linear', factor: 1 },
      { kind: 'nan', factor: 1 },
      { kind: 'linear', factor: 3 },
    ]);
    await registry.setRollout('m', {
      production: 1,
      candidate: 2,
      weights: { production: 0, candidate: 1 },
      mode: 'split',
      salt: 's',
    });
    const router = createModelRouter({
      registry,
      model: 'm',
      hmacKey: HMAC_KEY,
      loadModel: fakeLoader,
      timer: stepTimer(30),
      candidateTimeoutMs: 50,
    });
    await router.ready();
    expect(router.predict({ x: 2 })).toMatchObject({
      variant: 'production',
      prediction: 2,
      fallback: { reason: 'non_finite' },
    });
    const swapped = new Promise((resolve) => router.once('modelSwapped', resolve));
    await registry.setRollout('m', {
      production: 1,
      candidate: 3,
      weights: { production: 0, candidate: 1 },
      mode: 'split',
      salt: 's',
    });
    await swapped;
    // Each timer read advances 60 ms, so the candidate call takes 60 ms > 50 ms.
    const slow = createModelRouter({
      registry,
      model: 'm',
      hmacKey: HMAC_KEY,
      loadModel: fakeLoader,
      timer: stepTimer(60),
      candidateTimeoutMs: 50,
    });
    await slow.ready();
    expect(slow.predict({ x: 2 })).toMatchObject({
      variant: 'production',
      prediction: 2,
      fallback: { from: 'candidate', reason: 'timeout' },
    });
    expect(router.predict({ x: 2 })).toMatchObject({ variant: 'candidate', prediction: 6 });
    await Promise.all([router.close(), slow.close()]);
  });

  it('mirrors traffic to the candidate in shadow mode: logged, never returned, its failures never reach the caller', async () => {
    const registry = await registryWith('m', [
      { kind: 'linear', factor: 1 },
      { kind: 'flaky', factor: 2 },
    ]);
    await registry.setRollout('m', {
      production: 1,
      candidate: 2,
      weights: { production: 1, candidate: 0 },
      mode: 'shadow',
      salt: 's',
    });
    const outcomes = createMemoryOutcomeStore();
    const router = createModelRouter({
      registry,
      model: 'm',
      hmacKey: HMAC_KEY,
      loadModel: fakeLoader,
      outcomeStore: outcomes,
    });
    await router.ready();
    const results: PredictionResult<number>[] = [];
    for (let x = 0; x < 100; x++) results.push(router.predict<number>({ x }, { unit: `u${x}` }));
    expect(results.every((r) => r.variant === 'production' && r.prediction === results.indexOf(r))).toBe(true);
    await new Promise((r) => setImmediate(r));
    const shadows = router.log.recent().filter((r) => r.shadow);
    expect(shadows).toHaveLength(100);
    expect(shadows.filter((s) => s.error !== undefined)).toHaveLength(10);
    expect(shadows[3]).toMatchObject({
      variant: 'candidate',
      modelVersion: 2,
      prediction: 6,
      requestId: results[3]!.requestId,
    });
    expect(outcomes.aggregates('m').variants.candidate).toMatchObject({ requests: 100, errors: 10 });
    await router.close();
  });
});

// The splitter of the rollout in force, re-derived from the public rollout (candidate first).
import { createTrafficSplitter } from '../src/traffic-splitter.js';
function createAssign(router: ModelRouter, unit: string): string {
  const r = router.rollout!;
  return createTrafficSplitter({
    variants: [
      { name: 'candidate', weight: r.weights.candidate ?? 0 },
      { name: 'production', weight: r.weights.production },
    ],
    salt: r.salt,
  }).assign(unit);
}
void mergeExperimentAggregates;
