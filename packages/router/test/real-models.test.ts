import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createMemoryOutcomeStore, isModelshipError, loadModel } from '@modelship/core';
import { loadIris } from '@modelship/datasets';
import { createModelRouter } from '../src/model-router.js';
import { HMAC_KEY, loadFailureLogger, untilRevision } from './helpers.js';
import { artifactRegistry, trainIris, trainLine } from './real-models.js';

type Pred = { value: number | string; probabilities?: Record<string, number> };

describe('ModelRouter with real artifacts (core trainer, registry, MemoryStore, loadModel)', () => {
  it('serves verified Iris models, validates input naming the field, and scores label feedback', async () => {
    const registry = await artifactRegistry('iris', [await trainIris(), await trainIris({ C: 0.1 })]);
    await registry.setRollout('iris', {
      production: 1,
      candidate: 2,
      weights: { production: 0.5, candidate: 0.5 },
      mode: 'split',
      salt: 'iris-1',
    });
    const outcomes = createMemoryOutcomeStore();
    const metrics = new Registry();
    const router = createModelRouter({ registry, model: 'iris', hmacKey: HMAC_KEY, outcomeStore: outcomes, metrics });
    await router.ready();
    const rows = loadIris().toRows() as Record<string, number | string>[];
    let correct = 0;
    for (const [i, row] of rows.entries()) {
      const { species, ...input } = row;
      const r = router.predict<Pred>(input, { unit: `flower-${i}` });
      expect(typeof r.prediction.value).toBe('string');
      if (r.prediction.value === species) correct++;
      await router.feedback(r.requestId, { actual: species as string });
    }
    expect(correct / rows.length).toBeGreaterThan(0.85);
    const agg = outcomes.aggregates('iris', { versions: { production: 1, candidate: 2 } });
    const fb = (v: string) => agg.variants[v]!.feedback;
    expect(fb('production').correctTotal + fb('candidate').correctTotal).toBe(150);
    expect(fb('production').correctCount + fb('candidate').correctCount).toBe(correct);

    let err: unknown;
    try {
      router.predict({ sepal_length: 5.1, sepal_width: 'wide', petal_length: 1.4, petal_width: 0.2 });
    } catch (e) {
      err = e;
    }
    expect(isModelshipError(err, 'ValidationError', 'INVALID_INPUT')).toBe(true);
    expect((err as Error).message).toMatch(/sepal_width/);
    expect(await metrics.metrics()).not.toContain('modelship_fallbacks_total{');
    await router.close();
  });

  it('refuses an artifact whose stored bytes were altered, and keeps serving the verified one', async () => {
    const registry = await artifactRegistry('line', [await trainLine(2), await trainLine(3)]);
    await registry.setRollout('line', { production: 1, weights: { production: 1 }, mode: 'split', salt: 's' });
    const { logger, loadFailed } = loadFailureLogger();
    const router = createModelRouter({ registry, model: 'line', hmacKey: HMAC_KEY, pollIntervalMs: 10, logger });
    await router.ready();
    // Corrupt version 2's blob in the store.
    const v2 = await registry.getVersion('line', 2);
    const keys = await registry.store.list('');
    const blobKey = keys.find((k) => k.includes(v2.sha256));
    expect(blobKey, `no blob key holding ${v2.sha256} among ${keys.join(', ')}`).toBeDefined();
    const entry = (await registry.store.get(blobKey!))!;
    const bad = Uint8Array.from(entry.body);
    bad[bad.length >> 1]! ^= 0xff;
    await registry.store.put(blobKey!, bad);
    await registry.setRollout('line', { production: 2, weights: { production: 1 }, mode: 'split', salt: 's' });
    await loadFailed; // the verification failure happened (no fixed wait)
    expect(router.rollout!.revision).toBe(1);
    expect(router.predict<Pred>({ x: 10 })).toMatchObject({ modelVersion: 1 });
    expect(router.predict<Pred>({ x: 10 }).prediction.value).toBeCloseTo(21, 1);
    await router.close();
  });

  it('answers with production when a real candidate throws on 10 % of inputs; failures counted on the candidate', async () => {
    const registry = await artifactRegistry('line', [await trainLine(2), await trainLine(3)]);
    await registry.setRollout('line', {
      production: 1,
      candidate: 2,
      weights: { production: 0.2, candidate: 0.8 },
      mode: 'split',
      salt: 's',
    });
    // Version 2 is the real model, wrapped so that it throws on every input whose x is a multiple of 10.
    const loader = (bytes: Uint8Array, info: { version: number; sha256?: string }) => {
      const model = loadModel(bytes, info.sha256 ? { expectedSha256: info.sha256 } : {});
      if (info.version !== 2) return model;
      return {
        predict(input: unknown) {
          if ((input as { x: number }).x % 10 === 0) throw new Error('candidate bug');
          return model.predict(input as Record<string, unknown>);
        },
      };
    };
    const outcomes = createMemoryOutcomeStore();
    const metrics = new Registry();
    const router = createModelRouter({
      registry,
      model: 'line',
      hmacKey: HMAC_KEY,
      loadModel: loader,
      outcomeStore: outcomes,
      metrics,
    });
    let fallbacks = 0;
    router.on('fallbackUsed', () => fallbacks++);
    await router.ready();
    let failed = 0;
    for (let i = 0; i < 5000; i++) {
      try {
        const r = router.predict<Pred>({ x: i % 100 }, { unit: `u${i}` });
        if (r.fallback)
          expect(r).toMatchObject({
            variant: 'production',
            modelVersion: 1,
            fallback: { from: 'candidate', fromVersion: 2, reason: 'error' },
          });
      } catch {
        failed++;
      }
    }
    expect(failed).toBe(0);
    const cand = outcomes.aggregates('line').variants.candidate!;
    expect(fallbacks).toBeGreaterThan(250);
    expect(cand).toMatchObject({ errors: fallbacks, fallbacks });
    expect(outcomes.aggregates('line').variants.production!.errors).toBe(0);
    expect(await metrics.metrics()).toContain(
      `modelship_fallbacks_total{model="line",variant="candidate",model_version="2",reason="error"} ${fallbacks}`,
    );
    await router.close();
  });

  it('hot-swaps real models under load: 50,000 predictions, 20 rollout changes, no failure, versions from the rollout in force', async () => {
    const slopes = [1, 2, 3, 4, 5, 6];
    const registry = await artifactRegistry('line', await Promise.all(slopes.map((s) => trainLine(s))));
    await registry.setRollout('line', {
      production: 1,
      candidate: 2,
      weights: { production: 0.9, candidate: 0.1 },
      mode: 'split',
      salt: 'r0',
    });
    const router = createModelRouter({
      registry,
      model: 'line',
      hmacKey: HMAC_KEY,
      pollIntervalMs: 10,
      metrics: new Registry(),
    });
    await router.ready();
    // Version v answers ≈ v·x + 1: the answer tells which model produced it.
    const reference = new Map<number, ReturnType<typeof loadModel>>();
    for (const v of slopes) reference.set(v, loadModel((await registry.load('line', v)).bytes));
    let failures = 0;
    let n = 0;
    const swapsBefore = new Set<number>();
    for (let c = 0; c < 20; c++) {
      const p = slopes[(c * 5 + 2) % 6]!;
      const cand = slopes[(c * 7 + 3) % 6]!;
      const change = registry.setRollout('line', {
        production: p,
        ...(cand === p ? {} : { candidate: cand }),
        weights: cand === p ? { production: 1 } : { production: 0.5, candidate: 0.5 },
        mode: 'split',
        salt: `r${c + 1}`,
      });
      for (let k = 0; k < 2500; k++, n++) {
        if (k % 250 === 249) await new Promise((r) => setTimeout(r, 1));
        const inForce = router.rollout!;
        swapsBefore.add(inForce.revision);
        const input = { x: 1 + (n % 40) };
        try {
          const r = router.predict<Pred>(input, { unit: `u${n % 777}` });
          const allowed = [inForce.production, inForce.candidate];
          if (!allowed.includes(r.modelVersion))
            throw new Error(
              `version ${r.modelVersion} not in ${JSON.stringify(allowed)} (revision ${inForce.revision})`,
            );
          if (r.prediction.value !== reference.get(r.modelVersion)!.predict(input).value)
            throw new Error(`answer of v${r.modelVersion} differs from that model's`);
        } catch (e) {
          failures++;
          if (failures < 3) console.error(e);
        }
      }
      const set = await change;
      await untilRevision(router, set.revision);
    }
    expect(n).toBe(50_000);
    expect(failures).toBe(0);
    expect(router.rollout!.revision).toBe(21);
    expect(swapsBefore.size).toBeGreaterThanOrEqual(20);
    await router.close();
  });
});
