import { describe, expect, it } from 'vitest';
import { createMemoryOutcomeStore, isModelshipError } from '@modelship/core';
import { createModelRouter } from '../src/model-router.js';
import { HMAC_KEY, fakeLoader, registryWith } from './helpers.js';

async function errorOf(p: Promise<unknown>): Promise<{ code: string; message: string; field?: unknown } | undefined> {
  try {
    await p;
  } catch (err) {
    if (isModelshipError(err))
      return {
        code: `${err.name}:${err.code}`,
        message: err.message,
        field: (err.details as { field?: unknown })?.field,
      };
    throw err;
  }
  return undefined;
}

describe('feedback: bounded actual values', () => {
  it('rejects { actual: 1e78 } and { actual: 1e308 } naming the field and the range, and records nothing', async () => {
    const registry = await registryWith('m', [{ kind: 'linear', factor: 1 }]);
    await registry.setRollout('m', { production: 1, weights: { production: 1 }, mode: 'split', salt: 's' });
    const outcomeStore = createMemoryOutcomeStore();
    const router = createModelRouter({ registry, model: 'm', hmacKey: HMAC_KEY, loadModel: fakeLoader, outcomeStore });
    await router.ready();
    const r = router.predict<number>({ x: 10 });
    for (const actual of [1e78, 1e308]) {
      expect(await errorOf(router.feedback(r.requestId, { actual }))).toEqual({
        code: 'ValidationError:INVALID_INPUT',
        message: `router.feedback: actual: expected a number in the plausible range [-1e+15, 1e+15], received ${actual}`,
        field: 'actual',
      });
    }
    expect(outcomeStore.aggregates('m').variants.production?.feedback.count ?? 0).toBe(0);
    // The id was not used up: a valid value is recorded afterwards.
    await router.feedback(r.requestId, { actual: 12 });
    expect(outcomeStore.aggregates('m').variants.production!.feedback.actualCount).toBe(1);
    await router.close();
  });

  it('takes a configured plausible range (feedbackLimits)', async () => {
    const registry = await registryWith('m', [{ kind: 'linear', factor: 1 }]);
    await registry.setRollout('m', { production: 1, weights: { production: 1 }, mode: 'split', salt: 's' });
    const router = createModelRouter({
      registry,
      model: 'm',
      hmacKey: HMAC_KEY,
      loadModel: fakeLoader,
      outcomeStore: createMemoryOutcomeStore(),
      feedbackLimits: { actualMin: 0, actualMax: 1000, maxAbsError: 50 },
    });
    await router.ready();
    const r = router.predict<number>({ x: 10 });
    expect((await errorOf(router.feedback(r.requestId, { actual: -1 })))?.message).toMatch(
      /actual: expected a number in the plausible range \[0, 1000\], received -1/,
    );
    expect((await errorOf(router.feedback(r.requestId, { actual: 500 })))?.message).toMatch(
      new RegExp(`actual: expected a number within 50 of the prediction ${r.prediction}`),
    );
    expect(await errorOf(router.feedback(r.requestId, { actual: r.prediction + 10 }))).toBeUndefined();
    await router.close();
  });
});
