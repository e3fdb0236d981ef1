import {
  emptyAggregates,
  mergeAggregates,
  recordFeedback,
  recordPrediction,
  variantAggregatesSchema,
  type ExperimentAggregates,
  type FeedbackOutcome,
  type PredictionOutcome,
  type VariantAggregates,
} from '@modelship/core';
import { z } from 'zod';
import { RouterError } from './errors.js';

/** Which aggregates an outcome belongs to. */
export interface OutcomeKey {
  /** The model name. */
  readonly model: string;
  /** The variant, e.g. `'production'`. */
  readonly variant: string;
  /** The model version that served. */
  readonly modelVersion: number;
}

/** Records outcomes of one (model, variant, version); cached by the router per swap. */
export interface OutcomeRecorder {
  /** Records one request (synchronous and O(1); a shared store may buffer). */
  prediction(outcome: PredictionOutcome): void;
  /** Records one feedback event. */
  feedback(outcome: FeedbackOutcome): void;
}

/**
 * The stable JSON form of a store: `models → variant → model version → VariantAggregates`
 * (keys sorted), so that snapshots of several replicas can be stored, shipped and merged.
 */
export interface OutcomeSnapshot {
  /** Always 1 for now. */
  schemaVersion: 1;
  /** Aggregates by model name, variant name and decimal model version. */
  models: Record<string, Record<string, Record<string, VariantAggregates>>>;
}

/** Options of {@link OutcomeStore.aggregates}. */
export interface AggregatesQuery {
  /** Take only these versions, by variant (e.g. the current rollout's); default every version, merged. */
  readonly versions?: Readonly<Record<string, number>>;
  /** The configured weights to report beside the aggregates. */
  readonly weights?: Readonly<Record<string, number>>;
}

/**
 * Where the router puts per-variant outcomes, in the aggregates format of `@modelship/core`
 * (`VariantAggregates`). In-memory now ({@link MemoryOutcomeStore}); a shared store implements
 * the same interface, e.g. by merging buffered snapshots into a database.
 */
export interface OutcomeStore {
  /** A recorder for one (model, variant, version). */
  recorder(key: OutcomeKey): OutcomeRecorder;
  /** The experiment aggregates of a model, ready for the evaluator. */
  aggregates(model: string, query?: AggregatesQuery): ExperimentAggregates | Promise<ExperimentAggregates>;
  /** The store's content in its stable JSON form. */
  snapshot(): OutcomeSnapshot | Promise<OutcomeSnapshot>;
  /** Adds another replica's snapshot to this store (sums, exactly as if one store saw everything). */
  merge(snapshot: OutcomeSnapshot): void | Promise<void>;
}

const snapshotSchema = z.object({
  schemaVersion: z.literal(1),
  models: z.record(
    z.string(),
    z.record(
      z.string(),
      z.record(z.string().regex(/^\d+$/, 'expected a decimal model version'), variantAggregatesSchema),
    ),
  ),
});

function sortKeys<T>(rec: Record<string, T>, numeric = false): Record<string, T> {
  const keys = Object.keys(rec).sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
  const out: Record<string, T> = {};
  for (const k of keys) out[k] = rec[k]!;
  return out;
}

/** Merges two outcome snapshots into a new one (inputs untouched); associative and commutative. */
export function mergeOutcomeSnapshots(a: OutcomeSnapshot, b: OutcomeSnapshot): OutcomeSnapshot {
  const store = new MemoryOutcomeStore();
  store.merge(a);
  store.merge(b);
  return store.snapshot();
}

/**
 * The in-memory {@link OutcomeStore}: one `VariantAggregates` per (model, variant, version),
 * mutated in place by the recorders.
 */
export class MemoryOutcomeStore implements OutcomeStore {
  readonly #data = new Map<string, Map<string, Map<number, VariantAggregates>>>();

  #get(model: string, variant: string, version: number): VariantAggregates {
    let byVariant = this.#data.get(model);
    if (!byVariant) this.#data.set(model, (byVariant = new Map()));
    let byVersion = byVariant.get(variant);
    if (!byVersion) byVariant.set(variant, (byVersion = new Map()));
    let agg = byVersion.get(version);
    if (!agg) byVersion.set(version, (agg = emptyAggregates(variant, { modelVersion: String(version) })));
    return agg;
  }

  /** @inheritDoc */
  recorder(key: OutcomeKey): OutcomeRecorder {
    const agg = this.#get(key.model, key.variant, key.modelVersion);
    return {
      prediction: (outcome) => void recordPrediction(agg, outcome),
      feedback: (outcome) => void recordFeedback(agg, outcome),
    };
  }

  /** @inheritDoc */
  aggregates(model: string, query: AggregatesQuery = {}): ExperimentAggregates {
    const variants: Record<string, VariantAggregates> = {};
    let since = Infinity;
    let until = 0;
    for (const [variant, byVersion] of [
      ...(this.#data.get(model) ?? new Map<string, Map<number, VariantAggregates>>()),
    ].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const wanted = query.versions?.[variant];
      if (query.versions && wanted === undefined) continue;
      let merged: VariantAggregates | undefined;
      for (const [version, agg] of [...byVersion].sort(([a], [b]) => a - b)) {
        if (wanted !== undefined && version !== wanted) continue;
        merged = merged ? mergeAggregates(merged, agg) : structuredClone(agg);
      }
      if (!merged) continue;
      variants[variant] = merged;
      if (merged.firstSeen !== null) since = Math.min(since, merged.firstSeen);
      if (merged.lastSeen !== null) until = Math.max(until, merged.lastSeen);
    }
    if (since === Infinity) since = 0;
    const out: ExperimentAggregates = { schemaVersion: 1, variants, since, until: Math.max(since, until) };
    if (query.weights) out.weights = { ...query.weights };
    return out;
  }

  /** @inheritDoc */
  snapshot(): OutcomeSnapshot {
    const models: OutcomeSnapshot['models'] = {};
    for (const [model, byVariant] of this.#data) {
      const m: Record<string, Record<string, VariantAggregates>> = {};
      for (const [variant, byVersion] of byVariant) {
        const v: Record<string, VariantAggregates> = {};
        for (const [version, agg] of byVersion)
          v[String(version)] = structuredClone({
            ...agg,
            latency: { ...agg.latency, bins: sortKeys(agg.latency.bins, true) },
          });
        m[variant] = sortKeys(v, true);
      }
      models[model] = sortKeys(m);
    }
    return { schemaVersion: 1, models: sortKeys(models) };
  }

  /** Adds another replica's snapshot to this store (sums, exactly as if one store saw everything); throws `RouterError('INVALID_OPTIONS')` naming the field of an invalid snapshot. */
  merge(snapshot: OutcomeSnapshot): void {
    const parsed = snapshotSchema.safeParse(snapshot);
    if (!parsed.success) {
      throw new RouterError('INVALID_OPTIONS', `invalid outcome snapshot: ${z.prettifyError(parsed.error)}`, {
        operation: 'OutcomeStore.merge',
        cause: parsed.error,
      });
    }
    // Every merge is computed before any is applied, so a failure leaves the store as it was.
    const sums: [string, string, number, VariantAggregates][] = [];
    for (const [model, byVariant] of Object.entries(snapshot.models)) {
      for (const [variant, byVersion] of Object.entries(byVariant)) {
        for (const [version, agg] of Object.entries(byVersion)) {
          const mine =
            this.#data.get(model)?.get(variant)?.get(Number(version)) ??
            emptyAggregates(variant, { modelVersion: version });
          sums.push([model, variant, Number(version), mergeAggregates(mine, agg)]);
        }
      }
    }
    for (const [model, variant, version, sum] of sums) Object.assign(this.#get(model, variant, version), sum);
  }
}

/**
 * Creates an in-memory {@link OutcomeStore}.
 *
 * @example
 * ```ts
 * const outcomes = createMemoryOutcomeStore();
 * const router = createModelRouter({ registry, model: 'iris', hmacKey, outcomeStore: outcomes });
 * const agg = outcomes.aggregates('iris'); // ExperimentAggregates for the evaluator
 * ```
 */
export function createMemoryOutcomeStore(): MemoryOutcomeStore {
  return new MemoryOutcomeStore();
}
