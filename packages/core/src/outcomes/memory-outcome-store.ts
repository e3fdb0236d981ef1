/**
 * The in-memory reference {@link OutcomeStore}: one {@link VariantAggregates} per (model,
 * variant, version), mutated in place by its recorders.
 */
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import {
  emptyAggregates,
  mergeAggregates,
  recordFeedback,
  recordPrediction,
  type ExperimentAggregates,
  type VariantAggregates,
} from './aggregates.js';
import {
  outcomeSnapshotSchema,
  type AggregatesQuery,
  type OutcomeKey,
  type OutcomeRecorder,
  type OutcomeSnapshot,
  type OutcomeStore,
} from './outcome-store.js';

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

  /** A recorder that adds predictions and feedback to the aggregates of one (model, variant, version). */
  recorder(key: OutcomeKey): OutcomeRecorder {
    const agg = this.#get(key.model, key.variant, key.modelVersion);
    return {
      prediction: (outcome) => void recordPrediction(agg, outcome),
      feedback: (outcome) => void recordFeedback(agg, outcome),
    };
  }

  /** The experiment aggregates of a model, the versions of each variant merged (or only `query.versions`). */
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

  /** The store's content in its stable JSON form (sorted keys, deep copies). */
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

  /** Adds another replica's snapshot to this store (sums, exactly as if one store saw everything); throws `ValidationError('INVALID_INPUT')` naming the field of an invalid snapshot. */
  merge(snapshot: OutcomeSnapshot): void {
    const parsed = outcomeSnapshotSchema.safeParse(snapshot);
    if (!parsed.success) {
      throw new ValidationError('INVALID_INPUT', `invalid outcome snapshot: ${z.prettifyError(parsed.error)}`, {
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
 * const router = createModelRouter({ registry, model: 'iris', hmacKey, outcomeStore: outcomes }); // @modelship/router
 * const agg = outcomes.aggregates('iris'); // ExperimentAggregates for the evaluator
 * ```
 */
export function createMemoryOutcomeStore(): MemoryOutcomeStore {
  return new MemoryOutcomeStore();
}
