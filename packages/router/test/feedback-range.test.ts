import { describe, expect, it } from 'vitest';
import { createMemoryOutcomeStore, isModelshipError } from '@modelship/core';
import { createModelRouter } from '../src/model-router.js';
import { HMAC_KEY, fakeLoader, registryWith } from './helpers.js';
import { artifactRegistry, trainLine } from './real-models.js';
import { trainingTargetSd } from '@modelship/core/outcomes';

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

  it('derives the error bound from the served artifact, and the feedbackLimits option narrows or overrides it', async () => {
    const artifact = await trainLine(2);
    const sd = trainingTargetSd(artifact.metrics as Record<string, number>)!;
    // y = 2x + 1 over x in 1…50: the training target's sd is about 28.9, read back from rmse and r2.
    expect(sd).toBeGreaterThan(25);
    expect(sd).toBeLessThan(33);
    const build = async (feedbackLimits?: { spread?: number; maxAbsError?: number }) => {
      const registry = await artifactRegistry('line', [artifact]);
      await registry.deploy('line', 1);
      const router = createModelRouter({
        registry,
        model: 'line',
        hmacKey: HMAC_KEY,
        outcomeStore: createMemoryOutcomeStore(),
        ...(feedbackLimits ? { feedbackLimits } : {}),
      });
      await router.ready();
      return router;
    };

    // Default: 100 standard deviations of the training target.
    let router = await build();
    let r = router.predict<{ value: number }>({ x: 10 });
    expect((await errorOf(router.feedback(r.requestId, { actual: r.prediction.value + 101 * sd })))?.message).toMatch(
      /actual: expected a number within .* of the prediction/,
    );
    expect(await errorOf(router.feedback(r.requestId, { actual: r.prediction.value + 99 * sd }))).toBeUndefined();
    await router.close();

    // spread: 1 → one standard deviation.
    router = await build({ spread: 1 });
    r = router.predict<{ value: number }>({ x: 10 });
    expect((await errorOf(router.feedback(r.requestId, { actual: r.prediction.value + 2 * sd })))?.message).toMatch(
      /actual: expected a number within .* of the prediction/,
    );
    expect(await errorOf(router.feedback(r.requestId, { actual: r.prediction.value + 0.5 * sd }))).toBeUndefined();
    await router.close();

    // maxAbsError overrides what the artifact implies.
    router = await build({ maxAbsError: 3 });
    r = router.predict<{ value: number }>({ x: 10 });
    expect((await errorOf(router.feedback(r.requestId, { actual: r.prediction.value + 4 })))?.message).toMatch(
      /actual: expected a number within 3 of the prediction/,
    );
    expect(await errorOf(router.feedback(r.requestId, { actual: r.prediction.value + 2 }))).toBeUndefined();
    await router.close();
  });

  it('rejects a feedbackLimits option of the wrong shape, naming the field', () => {
    expect(() =>
      createModelRouter({
        registry: {} as never,
        model: 'm',
        hmacKey: HMAC_KEY,
        feedbackLimits: { spread: -1 },
      }),
    ).toThrow(/feedbackLimits\.spread/);
    expect(() =>
      createModelRouter({
        registry: {} as never,
        model: 'm',
        hmacKey: HMAC_KEY,
        feedbackLimits: { actualMax: 'big' } as never,
      }),
    ).toThrow(/feedbackLimits\.actualMax/);
  });
});
