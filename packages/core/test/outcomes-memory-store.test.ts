import { describe, expect, it } from 'vitest';
import { isModelshipError } from '../src/errors.js';
import { createMemoryOutcomeStore, mergeOutcomeSnapshots } from '../src/outcomes/memory-outcome-store.js';

describe('MemoryOutcomeStore', () => {
  it('keeps aggregates per (model, variant, version) and answers the evaluator per rollout or merged', () => {
    const store = createMemoryOutcomeStore();
    const c3 = store.recorder({ model: 'm', variant: 'candidate', modelVersion: 3 });
    const c4 = store.recorder({ model: 'm', variant: 'candidate', modelVersion: 4 });
    const p1 = store.recorder({ model: 'm', variant: 'production', modelVersion: 1 });
    c3.prediction({ latencyMs: 2, at: 100 });
    c4.prediction({ latencyMs: 4, at: 200 });
    c4.feedback({ rating: 5, at: 250 });
    p1.prediction({ latencyMs: 1, error: true, at: 50 });
    store.recorder({ model: 'other', variant: 'production', modelVersion: 9 }).prediction({ latencyMs: 1, at: 1 });

    const now = store.aggregates('m', {
      versions: { production: 1, candidate: 4 },
      weights: { production: 0.8, candidate: 0.2 },
    });
    expect(Object.keys(now.variants)).toEqual(['candidate', 'production']);
    expect(now.variants.candidate).toMatchObject({ modelVersion: '4', requests: 1, feedback: { ratingSum: 5 } });
    expect(now).toMatchObject({ since: 50, until: 250, weights: { production: 0.8, candidate: 0.2 } });
    const all = store.aggregates('m');
    expect(all.variants.candidate!.requests).toBe(2);
    expect(all.variants.candidate!.modelVersion).toBeUndefined(); // versions 3 and 4 merged
    expect(store.aggregates('none').variants).toEqual({});
  });

  it('has a stable JSON snapshot that merges associatively and rejects invalid snapshots naming the field', () => {
    const a = createMemoryOutcomeStore();
    const b = createMemoryOutcomeStore();
    a.recorder({ model: 'm', variant: 'production', modelVersion: 1 }).prediction({ latencyMs: 3, at: 10 });
    b.recorder({ model: 'm', variant: 'production', modelVersion: 1 }).prediction({ latencyMs: 5, at: 20 });
    b.recorder({ model: 'm', variant: 'candidate', modelVersion: 2 }).feedback({ correct: true, at: 30 });
    const ab = mergeOutcomeSnapshots(a.snapshot(), b.snapshot());
    const ba = mergeOutcomeSnapshots(b.snapshot(), a.snapshot());
    expect(JSON.stringify(ab)).toBe(JSON.stringify(ba));
    expect(ab.models.m!.production!['1']).toMatchObject({
      requests: 2,
      firstSeen: 10,
      lastSeen: 20,
      latency: { count: 2, sum: 8 },
    });
    const bad = JSON.parse(JSON.stringify(a.snapshot()));
    bad.models.m.production['1'].requests = -1;
    try {
      a.merge(bad);
      expect.unreachable();
    } catch (err) {
      expect(isModelshipError(err, 'ValidationError', 'INVALID_INPUT')).toBe(true);
      expect((err as Error).message).toMatch(/models\.m\.production\.1\.requests/);
    }
    expect(a.snapshot().models.m!.production!['1']!.requests).toBe(1); // left as it was
  });
});
