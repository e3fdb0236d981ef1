import { describe, expect, it } from 'vitest';
import { createMemoryOutcomeStore, isModelshipError, mergeExperimentAggregates } from '@modelship/core';
import { createModelRouter } from '../src/model-router.js';
import { createRequestIdCodec } from '../src/request-id.js';
import { HMAC_KEY, fakeLoader, registryWith, stepTimer } from './helpers.js';

async function errorOf(p: Promise<unknown>): Promise<{ code: string; message: string } | undefined> {
  try {
    await p;
  } catch (err) {
    if (isModelshipError(err)) return { code: `${err.name}:${err.code}`, message: err.message };
    throw err;
  }
  return undefined;
}

describe('feedback', () => {
  it('verifies ids at any replica and rejects forged, altered, expired, unknown and duplicate ids with clear errors', async () => {
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
    let now = 1_800_000_000_000;
    const clock = () => now;
    const common = {
      registry,
      model: 'm',
      hmacKey: HMAC_KEY,
      loadModel: fakeLoader,
      clock,
      feedbackMaxAgeMs: 3_600_000,
    };
    const a = createModelRouter(common);
    const bStore = createMemoryOutcomeStore();
    const b = createModelRouter({ ...common, outcomeStore: bStore });
    await Promise.all([a.ready(), b.ready()]);
    const recorded: string[] = [];
    b.on('feedbackRecorded', (e) => recorded.push(`${e.claims.variant}@${e.claims.modelVersion}`));

    const r = a.predict<number>({ x: 10 }, { unit: 'user-1' });
    const claims = await b.feedback(r.requestId, { rating: 4, actual: 12 });
    expect(claims).toMatchObject({
      variant: r.variant,
      modelVersion: r.modelVersion,
      prediction: r.prediction,
      time: now,
    });
    expect(recorded).toEqual([`${r.variant}@${r.modelVersion}`]);
    const fb = bStore.aggregates('m').variants[r.variant]!.feedback;
    expect(fb).toMatchObject({
      count: 1,
      ratingCount: 1,
      ratingSum: 4,
      actualCount: 1,
      absErrorSum: Math.abs(r.prediction - 12),
    });

    expect(await errorOf(b.feedback(r.requestId, { rating: 5 }))).toMatchObject({
      code: 'RouterError:DUPLICATE_FEEDBACK',
    });

    const id = a.predict({ x: 1 }).requestId;
    const bytes = Buffer.from(id, 'base64url');
    bytes[18]! ^= 1; // the model version inside
    expect(await errorOf(b.feedback(bytes.toString('base64url'), { rating: 5 }))).toMatchObject({
      code: 'RouterError:INVALID_REQUEST_ID',
      message: expect.stringMatching(/signature does not match/),
    });
    const other = createModelRouter({ ...common, hmacKey: 'a-different-key-of-enough-bytes' });
    await other.ready();
    expect(await errorOf(b.feedback(other.predict({ x: 1 }).requestId, { rating: 5 }))).toMatchObject({
      code: 'RouterError:INVALID_REQUEST_ID',
    });
    expect(await errorOf(b.feedback('hello', { rating: 5 }))).toMatchObject({
      code: 'RouterError:INVALID_REQUEST_ID',
      message: expect.stringMatching(/too short/),
    });

    // Correctly signed, but naming a version the registry does not have.
    const codec = createRequestIdCodec({ key: HMAC_KEY, model: 'm', clock });
    const [hi, lo] = codec.nonce();
    const unknown = codec.sign({
      time: now,
      variant: 'candidate',
      modelVersion: 99,
      nonceHi: hi,
      nonceLo: lo,
      prediction: 1,
    });
    expect(await errorOf(b.feedback(unknown, { rating: 3 }))).toMatchObject({
      code: 'RouterError:UNKNOWN_REQUEST_ID',
      message: expect.stringMatching(/no version 99/),
    });

    const old = a.predict({ x: 1 }).requestId;
    now += 3_600_001;
    expect(await errorOf(b.feedback(old, { rating: 3 }))).toMatchObject({
      code: 'RouterError:EXPIRED_REQUEST_ID',
      message: expect.stringMatching(/expired request id/),
    });

    const fresh = a.predict({ x: 1 }).requestId;
    expect(await errorOf(b.feedback(fresh, { rating: 7 } as never))).toMatchObject({
      code: 'ValidationError:INVALID_INPUT',
      message: expect.stringMatching(/rating/),
    });
    expect(await errorOf(b.feedback(fresh, {}))).toMatchObject({
      code: 'ValidationError:INVALID_INPUT',
      message: expect.stringMatching(/at least one of rating, correct or actual/),
    });
    expect(await errorOf(b.feedback(fresh, { actual: 'cat' }))).toMatchObject({
      code: 'ValidationError:INVALID_INPUT',
      message: expect.stringMatching(/actual/),
    });
    // Rejected feedback left the aggregates as they were.
    expect(bStore.aggregates('m').variants[r.variant]!.feedback.count).toBe(1);
    await Promise.all([a.close(), b.close(), other.close()]);
  });

  it('scores a label answer against an actual label (correct / incorrect)', async () => {
    const registry = await registryWith('m', [{ kind: 'label', factor: 1 }]);
    await registry.setRollout('m', { production: 1, weights: { production: 1 }, mode: 'split', salt: 's' });
    const store = createMemoryOutcomeStore();
    const router = createModelRouter({
      registry,
      model: 'm',
      hmacKey: HMAC_KEY,
      loadModel: fakeLoader,
      outcomeStore: store,
    });
    await router.ready();
    await router.feedback(router.predict({ x: 1 }).requestId, { actual: 'positive' });
    await router.feedback(router.predict({ x: -1 }).requestId, { actual: 'positive' });
    expect(store.aggregates('m').variants.production!.feedback).toMatchObject({ correctTotal: 2, correctCount: 1 });
    await router.close();
  });

  it('aggregates of two routers, merged, equal those of one router that saw all the traffic', async () => {
    const registry = await registryWith('m', [
      { kind: 'linear', factor: 1 },
      { kind: 'flaky', factor: 2 },
    ]);
    await registry.setRollout('m', {
      production: 1,
      candidate: 2,
      weights: { production: 0.7, candidate: 0.3 },
      mode: 'split',
      salt: 's',
    });
    const clock = () => 1_800_000_000_000;
    const make = () => {
      const outcomeStore = createMemoryOutcomeStore();
      const router = createModelRouter({
        registry,
        model: 'm',
        hmacKey: HMAC_KEY,
        loadModel: fakeLoader,
        outcomeStore,
        clock,
        timer: stepTimer(0.25),
      });
      return { router, outcomeStore };
    };
    const [a, b, all] = [make(), make(), make()];
    await Promise.all([a.router.ready(), b.router.ready(), all.router.ready()]);
    for (let i = 0; i < 3000; i++) {
      const input = { x: i % 97 };
      const unit = `user-${i % 500}`;
      const replica = i % 3 === 0 ? a : b;
      const r1 = replica.router.predict<number>(input, { unit });
      const r2 = all.router.predict<number>(input, { unit });
      expect([r1.variant, r1.modelVersion, r1.prediction]).toEqual([r2.variant, r2.modelVersion, r2.prediction]);
      if (i % 4 === 0) {
        const fb = { rating: 1 + (i % 5), actual: (i % 97) * 1.5, correct: i % 3 === 0 };
        // Feedback lands on the other replica: ids are self-describing.
        await (replica === a ? b : a).router.feedback(r1.requestId, fb);
        await all.router.feedback(r2.requestId, fb);
      }
    }
    const merged = mergeExperimentAggregates(a.outcomeStore.aggregates('m'), b.outcomeStore.aggregates('m'));
    const single = all.outcomeStore.aggregates('m');
    expect(single.variants.candidate!.fallbacks).toBeGreaterThan(0);
    expect(single.variants.candidate!.feedback.count).toBeGreaterThan(0);
    expect(merged).toEqual(single);
    // The stable JSON snapshots merge the same way.
    const viaSnapshots = createMemoryOutcomeStore();
    viaSnapshots.merge(JSON.parse(JSON.stringify(a.outcomeStore.snapshot())));
    viaSnapshots.merge(JSON.parse(JSON.stringify(b.outcomeStore.snapshot())));
    expect(viaSnapshots.snapshot()).toEqual(all.outcomeStore.snapshot());
    await Promise.all([a.router.close(), b.router.close(), all.router.close()]);
  });
});

describe('durableFeedback', () => {
  /** A buffering store: records go to `pending` and become durable (`durable`) on flush. */
  function bufferingStore(failFlush: () => boolean) {
    const inner = createMemoryOutcomeStore();
    const durable = createMemoryOutcomeStore();
    const pending: Array<() => void> = [];
    let flushes = 0;
    const store = {
      recorder(key: Parameters<typeof inner.recorder>[0]) {
        const r = durable.recorder(key);
        return {
          prediction: (o: Parameters<typeof r.prediction>[0]) => r.prediction(o),
          feedback: (o: Parameters<typeof r.feedback>[0]) => pending.push(() => r.feedback(o)),
        };
      },
      aggregates: (m: string) => durable.aggregates(m),
      snapshot: () => inner.snapshot(),
      merge: () => undefined,
      async flush() {
        flushes++;
        await new Promise((r) => setTimeout(r, 5));
        if (failFlush()) throw new Error('backend down');
        for (const f of pending.splice(0)) f();
      },
    };
    return { store, durable, flushes: () => flushes, pending: () => pending.length };
  }

  it('acknowledges feedback only once the store flushed it, and says so when it could not', async () => {
    const registry = await registryWith('m', [{ kind: 'linear', factor: 1 }]);
    await registry.setRollout('m', { production: 1, weights: { production: 1 }, mode: 'split', salt: 's' });
    let failing = false;
    const b = bufferingStore(() => failing);
    const router = createModelRouter({
      registry,
      model: 'm',
      hmacKey: HMAC_KEY,
      loadModel: fakeLoader,
      outcomeStore: b.store,
      durableFeedback: true,
    });
    const lazy = createModelRouter({
      registry,
      model: 'm',
      hmacKey: HMAC_KEY,
      loadModel: fakeLoader,
      outcomeStore: b.store,
    });
    await Promise.all([router.ready(), lazy.ready()]);
    const ids = Array.from({ length: 3 }, (_, i) => router.predict<number>({ x: i }).requestId);
    // acknowledged ⇒ durable: when each call resolves, its record has left the buffer
    await Promise.all(ids.map((id) => router.feedback(id, { rating: 3 })));
    expect(b.durable.aggregates('m').variants.production!.feedback.count).toBe(3);
    expect(b.pending()).toBe(0);
    expect(b.flushes()).toBeGreaterThanOrEqual(1);
    // without the option the call resolves with the record still buffered
    await lazy.feedback(lazy.predict({ x: 9 }).requestId, { rating: 1 });
    expect(b.pending()).toBe(1);
    // a failed flush: the caller learns the record is not durable (503 over HTTP); it stays buffered
    failing = true;
    const id = router.predict({ x: 5 }).requestId;
    expect(await errorOf(router.feedback(id, { rating: 2 }))).toMatchObject({
      code: 'RouterError:FEEDBACK_NOT_DURABLE',
      message: expect.stringMatching(/could not make it durable: backend down/),
    });
    expect(b.pending()).toBe(2);
    failing = false;
    await b.store.flush();
    expect(b.durable.aggregates('m').variants.production!.feedback.count).toBe(5);
    await Promise.all([router.close(), lazy.close()]);
  });
});
