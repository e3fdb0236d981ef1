/**
 * The one test suite every outcome store passes (the in-memory store, the snapshot publisher and
 * source, Redis…): what it returns must equal what the in-memory reference store returns for the
 * same records — counts exactly, sums within float tolerance — however the records are spread
 * over replicas.
 */
import { isModelshipError } from '@modelship/core';
import {
  createMemoryOutcomeStore,
  subtractExperimentAggregates,
  type AggregatesQuery,
  type ExperimentAggregates,
  type FeedbackOutcome,
  type OutcomeKey,
  type OutcomeSnapshot,
  type OutcomeStore,
  type PredictionOutcome,
} from '@modelship/core/outcomes';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

/** One outcome store under test, created fresh (empty) for each test. */
export interface OutcomeStoreHarness {
  /** The store the first replica records into. */
  store: OutcomeStore;
  /** Another replica's store on the same shared data (optional: a single-process store has none). */
  replica?(): Promise<OutcomeStore>;
  /** Makes every recorded outcome visible to `read` (flush, publish); default nothing to do. */
  sync?(): Promise<void>;
  /** What the controller reads, over every replica; default `store.aggregates`. */
  read?(model: string, query?: AggregatesQuery): Promise<ExperimentAggregates>;
  /** Removes what the harness created. */
  destroy(): Promise<void>;
}

/** Options of {@link runOutcomeStoreConformance}. */
export interface OutcomeStoreConformanceOptions {
  /** The store's name, shown in the suite title. */
  name: string;
  /** Creates a fresh harness (called before each test). */
  createStore(): Promise<OutcomeStoreHarness>;
  /** Called once before the suite (e.g. to start a server); default none. */
  setup?(): Promise<void>;
  /** Called once after the suite; default none. */
  teardown?(): Promise<void>;
  /** Per-test timeout in milliseconds; default 30,000. */
  timeoutMs?: number;
}

type Event = { key: OutcomeKey } & ({ kind: 'p'; p: PredictionOutcome } | { kind: 'f'; f: FeedbackOutcome });

/** A deterministic mix of every kind of outcome over two models, three variants and versions. */
function events(n: number, seed = 7): Event[] {
  let s = seed >>> 0;
  const rnd = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const keys: OutcomeKey[] = [
    { model: 'iris', variant: 'production', modelVersion: 1 },
    { model: 'iris', variant: 'production', modelVersion: 2 },
    { model: 'iris', variant: 'candidate', modelVersion: 3 },
    { model: 'iris', variant: 'shadow:x', modelVersion: 3 },
    { model: 'house prices/eu', variant: 'production', modelVersion: 7 },
  ];
  const out: Event[] = [];
  const t0 = 1_700_000_000_000;
  for (let i = 0; i < n; i++) {
    const key = keys[Math.floor(rnd() * keys.length)]!;
    const at = t0 + Math.floor(rnd() * 3_600_000);
    if (rnd() < 0.6) {
      const p: PredictionOutcome = { at };
      const r = rnd();
      if (r < 0.9) p.latencyMs = r < 0.05 ? 0 : r < 0.1 ? 0.0004 : Math.exp(rnd() * 8) / 10;
      if (rnd() < 0.05) p.error = true;
      if (rnd() < 0.03) p.fallback = true;
      if (rnd() < 0.02) p.timeout = true;
      out.push({ key, kind: 'p', p });
    } else {
      const f: FeedbackOutcome = { at };
      if (rnd() < 0.5) f.rating = 1 + Math.floor(rnd() * 5);
      if (rnd() < 0.5) f.correct = rnd() < 0.7;
      if (rnd() < 0.5) {
        f.actual = rnd() * 1000 - 200;
        f.predicted = f.actual + (rnd() - 0.5) * 40;
      }
      out.push({ key, kind: 'f', f });
    }
  }
  return out;
}

function play(stores: OutcomeStore[], evs: readonly Event[]): void {
  const recorders = new Map<string, ReturnType<OutcomeStore['recorder']>>();
  evs.forEach((e, i) => {
    const s = i % stores.length;
    const id = `${s}\u0000${e.key.model}\u0000${e.key.variant}\u0000${e.key.modelVersion}`;
    let r = recorders.get(id);
    if (!r) recorders.set(id, (r = stores[s]!.recorder(e.key)));
    if (e.kind === 'p') r.prediction(e.p);
    else r.feedback(e.f);
  });
}

/** Integers (counts, bins, times) exactly; other numbers within 1e-9 relative. */
function expectClose(actual: unknown, expected: unknown, path = 'aggregates'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (Number.isInteger(expected) && Math.abs(expected) < 2 ** 53 && Number.isInteger(actual)) {
      expect(actual, path).toBe(expected);
    } else {
      const tol = 1e-9 * Math.max(1, Math.abs(expected));
      expect(Math.abs(actual - expected), `${path}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
    }
    return;
  }
  if (typeof expected === 'object' && expected !== null && typeof actual === 'object' && actual !== null) {
    expect(Object.keys(actual).sort(), `${path} keys`).toEqual(Object.keys(expected).sort());
    for (const k of Object.keys(expected))
      expectClose((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${path}.${k}`);
    return;
  }
  expect(actual, path).toEqual(expected);
}

/**
 * Defines the outcome-store conformance suite (vitest) for one store: recording and reading back
 * equal the in-memory reference; version and weight queries; several replicas summing exactly;
 * snapshot and merge; invalid input. Each test on a fresh harness from `createStore`.
 *
 * @example
 * ```ts
 * runOutcomeStoreConformance({
 *   name: 'MemoryOutcomeStore',
 *   createStore: async () => ({ store: createMemoryOutcomeStore(), destroy: async () => {} }),
 * });
 * ```
 */
export function runOutcomeStoreConformance(options: OutcomeStoreConformanceOptions): void {
  const timeout = options.timeoutMs ?? 30_000;
  describe(`outcome store conformance: ${options.name}`, { timeout }, () => {
    let h: OutcomeStoreHarness;
    if (options.setup) beforeAll(() => options.setup!(), 60_000);
    if (options.teardown) afterAll(() => options.teardown!(), 60_000);
    beforeEach(async () => {
      h = await options.createStore();
    });
    afterEach(async () => {
      await h.destroy();
    });
    const read = async (model: string, query?: AggregatesQuery): Promise<ExperimentAggregates> => {
      await h.sync?.();
      return h.read ? h.read(model, query) : h.store.aggregates(model, query);
    };
    const reference = (evs: readonly Event[]) => {
      const ref = createMemoryOutcomeStore();
      play([ref], evs);
      return ref;
    };

    it('reads back what was recorded, as the memory store does', async () => {
      const evs = events(600);
      play([h.store], evs);
      const ref = reference(evs);
      for (const model of ['iris', 'house prices/eu']) expectClose(await read(model), ref.aggregates(model), model);
    });

    it('keeps extreme (valid) values: large errors, sub-µs and huge latencies', async () => {
      const key = { model: 'iris', variant: 'production', modelVersion: 1 };
      const evs: Event[] = [
        { key, kind: 'f', f: { actual: 1e14, predicted: -1e14, rating: 1e15, at: 5 } },
        { key, kind: 'f', f: { actual: -3.3e-7, predicted: 1.1e-7, at: 6 } },
        { key, kind: 'p', p: { latencyMs: 1e12, at: 7 } },
        { key, kind: 'p', p: { latencyMs: 1e-9, at: 4 } },
        { key, kind: 'p', p: { latencyMs: 0.1 + 0.2, at: 8 } },
      ];
      play([h.store], evs);
      expectClose(await read('iris'), reference(evs).aggregates('iris'));
    });

    it('takes only the versions asked for, and reports the weights given', async () => {
      const evs = events(300, 11);
      play([h.store], evs);
      const ref = reference(evs);
      const q = { versions: { production: 2, candidate: 3 }, weights: { production: 90, candidate: 10 } };
      expectClose(await read('iris', q), ref.aggregates('iris', q));
      expectClose(
        await read('iris', { versions: { production: 9 } }),
        ref.aggregates('iris', { versions: { production: 9 } }),
      );
    });

    it('an unknown model has no variants', async () => {
      expectClose(await read('nobody'), { schemaVersion: 1, variants: {}, since: 0, until: 0 });
    });

    it('a recorder that recorded nothing yet shows its variant with zero counts', async () => {
      h.store.recorder({ model: 'quiet', variant: 'production', modelVersion: 4 });
      const ref = createMemoryOutcomeStore();
      ref.recorder({ model: 'quiet', variant: 'production', modelVersion: 4 });
      expectClose(await read('quiet'), ref.aggregates('quiet'));
    });

    it('several replicas recording at once sum exactly', async (ctx) => {
      if (!h.replica) return ctx.skip();
      const stores = [h.store, await h.replica(), await h.replica(), await h.replica()];
      const evs = events(2000, 23);
      // interleaved in small bursts, with turns of the event loop between them
      for (let i = 0; i < evs.length; i += 50) {
        play(stores, evs.slice(i, i + 50));
        await new Promise((r) => setImmediate(r));
      }
      const ref = reference(evs);
      const got = await read('iris');
      expectClose(got, ref.aggregates('iris'));
      const requests = Object.values(got.variants).reduce((n, v) => n + v.requests + v.feedback.count, 0);
      expect(requests).toBe(evs.filter((e) => e.key.model === 'iris').length);
    });

    it('two reads subtract to the outcomes recorded between them', async () => {
      const a = events(200, 31);
      const b = events(300, 37);
      play([h.store], a);
      const first = await read('iris');
      play([h.store], b);
      const second = await read('iris');
      const between = subtractExperimentAggregates(second, first);
      const ref = reference(b).aggregates('iris');
      for (const [name, v] of Object.entries(ref.variants)) {
        const got = between.variants[name]!;
        expect(got.requests).toBe(v.requests);
        expect(got.feedback.count).toBe(v.feedback.count);
        expectClose(got.feedback.sqErrorSum, v.feedback.sqErrorSum, `${name}.sqErrorSum`);
        expectClose(got.latency.bins, v.latency.bins, `${name}.latency.bins`);
      }
    });

    it('its snapshot merges into a memory store as the reference snapshot', async () => {
      const evs = events(400, 41);
      play([h.store], evs);
      await h.sync?.();
      const snap = await h.store.snapshot();
      const mem = createMemoryOutcomeStore();
      mem.merge(snap);
      const ref = reference(evs);
      expectClose(mem.aggregates('iris'), ref.aggregates('iris'));
      expect(Object.keys(snap.models).sort()).toEqual(Object.keys(ref.snapshot().models).sort());
    });

    it('merging a snapshot adds it to what was recorded', async () => {
      const a = events(300, 43);
      const b = events(300, 47);
      play([h.store], a);
      await h.store.merge(reference(b).snapshot());
      expectClose(await read('iris'), reference([...a, ...b]).aggregates('iris'));
    });

    it('an invalid snapshot is refused naming the field, and changes nothing', async () => {
      const a = events(100, 53);
      play([h.store], a);
      const bad = reference(events(50, 59)).snapshot() as OutcomeSnapshot;
      const v = Object.values(Object.values(bad.models.iris!)[0]!)[0]!;
      (v as { requests: unknown }).requests = -3;
      let err: unknown;
      try {
        await h.store.merge(bad);
      } catch (e) {
        err = e;
      }
      expect(isModelshipError(err, 'ValidationError', 'INVALID_INPUT')).toBe(true);
      expect((err as Error).message).toContain('requests');
      expectClose(await read('iris'), reference(a).aggregates('iris'));
    });

    it('an invalid outcome throws ValidationError and records nothing', async () => {
      const r = h.store.recorder({ model: 'iris', variant: 'production', modelVersion: 1 });
      r.prediction({ latencyMs: 5, at: 1_700_000_000_000 });
      expect(() => r.prediction({ latencyMs: -1 })).toThrow(/latencyMs/);
      expect(() => r.feedback({ rating: Number.NaN })).toThrow(/rating/);
      const got = await read('iris');
      expect(got.variants.production!.requests).toBe(1);
      expect(got.variants.production!.feedback.count).toBe(0);
    });
  });
}
