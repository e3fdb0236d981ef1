/**
 * The outcome-store contract: where per-variant outcomes are recorded and read back as
 * experiment aggregates, with a stable JSON snapshot that replicas can ship and merge.
 */
import { z } from 'zod';
import type { ExperimentAggregates, FeedbackOutcome, PredictionOutcome, VariantAggregates } from './aggregates.js';
import { variantAggregatesSchema } from './aggregates-schema.js';

/** Which aggregates an outcome belongs to. */
export interface OutcomeKey {
  /** The model name. */
  readonly model: string;
  /** The variant, e.g. `'production'`. */
  readonly variant: string;
  /** The model version that served. */
  readonly modelVersion: number;
}

/** Records outcomes of one (model, variant, version); a router caches one per variant and swap. */
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
 * Where per-variant outcomes go (the router records into it), in the aggregates format
 * ({@link VariantAggregates}). In memory: {@link MemoryOutcomeStore}; a shared store (Redis, a
 * registry snapshot…) implements the same interface, e.g. by merging buffered snapshots.
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
  /**
   * For a store that buffers records (a shared store): resolves once every record made so far is
   * durable in the shared backend, rejects when it could not be made so (the records stay
   * buffered and are retried). A store without `flush` is durable as soon as a record returns.
   * A router with `durableFeedback` awaits it before acknowledging feedback.
   */
  flush?(): Promise<void>;
}

/** Zod schema of {@link OutcomeSnapshot} (decimal model versions, valid aggregates). */
export const outcomeSnapshotSchema: z.ZodType<OutcomeSnapshot> = z.object({
  schemaVersion: z.literal(1),
  models: z.record(
    z.string(),
    z.record(
      z.string(),
      z.record(z.string().regex(/^\d+$/, 'expected a decimal model version'), variantAggregatesSchema),
    ),
  ),
});
