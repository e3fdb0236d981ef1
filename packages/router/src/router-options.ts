import type { Registry as PromRegistry } from 'prom-client';
import type { KeyObject } from 'node:crypto';
import type { Logger, OutcomeStore } from '@modelship/core';
import type { FeedbackLimitsOptions } from '@modelship/core/outcomes';
import { z } from 'zod';
import { RouterError } from './errors.js';
import type { InputRedaction, PredictionSink } from './prediction-log.js';
import type { PredictionJournalOptions } from './prediction-journal.js';
import type { RolloutSource } from './rollout-source.js';
import type { ModelLoader } from './servable-model.js';
import type { ServedObserver } from './observers.js';

/** Options of {@link createModelRouter}. */
export interface ModelRouterOptions {
  /** The registry to follow (core's `ModelRegistry`, or anything with getRollout / watch / load). */
  readonly registry: RolloutSource;
  /** The model name in the registry. */
  readonly model: string;
  /** The HMAC key that signs request ids; every replica of the model must share it (≥ 16 bytes). */
  readonly hmacKey: string | Uint8Array | KeyObject;
  /** Turns artifact bytes into a model. Default: core's `loadModel` (which verifies the artifact). */
  readonly loadModel?: ModelLoader;
  /** Pino-compatible logger; a child `{ component: 'router' }` is used. Default silent. */
  readonly logger?: Logger;
  /** prom-client registry to register the router's metrics on. Default none (no metrics). */
  readonly metrics?: PromRegistry;
  /** Sinks of the prediction log. Default none. */
  readonly sinks?: readonly PredictionSink[];
  /**
   * The prediction log's write-ahead journal (a folder of this replica's own): every answered
   * prediction is appended to it before the answer is returned, so the sinks get it even when the
   * process is killed; a restart with the same folder replays the rest. Default none.
   */
  readonly journal?: PredictionJournalOptions;
  /** Recent predictions kept in memory (`router.log.recent()`); 0 disables. Default 10,000. */
  readonly logCapacity?: number;
  /** Input redaction in the prediction log (`true` drops inputs, a list of fields masks them). Default `false`. */
  readonly redactInput?: InputRedaction;
  /** Where per-variant outcomes are recorded. Default none. */
  readonly outcomeStore?: OutcomeStore;
  /**
   * Acknowledge feedback only once it is durable: `router.feedback` awaits the outcome store's
   * `flush()` (when it has one, e.g. the Redis store) after recording, so a replica killed right
   * after answering loses no acknowledged feedback. When the flush fails, `feedback` rejects with
   * `RouterError` `FEEDBACK_NOT_DURABLE` and the record stays buffered (it may still land: a client
   * retrying at another replica can count it twice). Concurrent calls share one flush. Default `false`.
   */
  readonly durableFeedback?: boolean;
  /** A candidate slower than this is answered by production (checked after a synchronous call). Default 1000 ms. */
  readonly candidateTimeoutMs?: number;
  /** Feedback on ids older than this is rejected as expired. Default 7 days. */
  readonly feedbackMaxAgeMs?: number;
  /**
   * The plausible range of a numeric `actual` in feedback (core's `feedbackLimits` options:
   * `actualMin`, `actualMax`, `maxAbsError`, `spread`). Default: ±1e15, and within 100 training-target
   * standard deviations of the prediction, derived from the served artifact's metrics (`rmse`, `r2`).
   */
  readonly feedbackLimits?: Omit<FeedbackLimitsOptions, 'artifact'>;
  /** How many recent feedback ids this replica remembers to reject duplicates. Default 100,000. */
  readonly duplicateWindow?: number;
  /** How often the rollout is polled, in ms. Default 1000. */
  readonly pollIntervalMs?: number;
  /**
   * Told of every answered request and every swap (e.g. `@modelship/drift`'s `createDriftSink`),
   * off the request path: queued in O(1), delivered in a later turn; beyond `maxShadowQueue`
   * waiting notifications new ones are dropped (`router.observerDropped`). Default none.
   */
  readonly observers?: readonly ServedObserver[];
  /** Mirrored requests waiting for the shadow model beyond which new ones are dropped (also bounds the observers' queue). Default 10,000. */
  readonly maxShadowQueue?: number;
  /** Wall clock in ms since the epoch (request times, expiry). Default `Date.now`. */
  readonly clock?: () => number;
  /** High-resolution timer in ms for latencies. Default `performance.now`. */
  readonly timer?: () => number;
  /** Random source in [0, 1) for requests without a unit. Default `Math.random`. */
  readonly random?: () => number;
}

const fn = z.custom<(...args: unknown[]) => unknown>((v) => typeof v === 'function', 'expected a function');
const schema = z.object({
  registry: z.custom<RolloutSource>(
    (r) =>
      typeof r === 'object' &&
      r !== null &&
      ['getRollout', 'watch', 'load'].every((m) => typeof (r as Record<string, unknown>)[m] === 'function'),
    'expected a registry with getRollout, watch and load',
  ),
  model: z.string().min(1),
  hmacKey: z.custom<unknown>(
    (k) => typeof k === 'string' || k instanceof Uint8Array || (typeof k === 'object' && k !== null),
    'expected a string, bytes or a KeyObject',
  ),
  loadModel: fn.optional(),
  logger: z.any().optional(),
  metrics: z
    .custom<PromRegistry>(
      (m) =>
        typeof m === 'object' &&
        m !== null &&
        typeof (m as { getSingleMetric?: unknown }).getSingleMetric === 'function',
      'expected a prom-client Registry',
    )
    .optional(),
  sinks: z.array(z.any()).optional(),
  observers: z
    .array(
      z.custom<ServedObserver>(
        (o) =>
          typeof o === 'object' &&
          o !== null &&
          typeof (o as { onServe?: unknown }).onServe === 'function' &&
          ['undefined', 'function'].includes(typeof (o as { onSwap?: unknown }).onSwap),
        'expected an observer with onServe(served, input, prediction) and optionally onSwap(served, rollout)',
      ),
    )
    .optional(),
  logCapacity: z.number().int().nonnegative().optional(),
  journal: z.object({ dir: z.string().min(1), segmentMs: z.number().int().min(10).optional() }).optional(),
  redactInput: z.any().optional(),
  outcomeStore: z
    .custom<OutcomeStore>(
      (s) => typeof s === 'object' && s !== null && typeof (s as { recorder?: unknown }).recorder === 'function',
      'expected an OutcomeStore',
    )
    .optional(),
  durableFeedback: z.boolean().optional(),
  candidateTimeoutMs: z.number().positive().optional(),
  feedbackMaxAgeMs: z.number().positive().optional(),
  feedbackLimits: z
    .strictObject({
      actualMin: z.number().optional(),
      actualMax: z.number().optional(),
      maxAbsError: z.number().positive().optional(),
      spread: z.number().positive().optional(),
    })
    .optional(),
  duplicateWindow: z.number().int().nonnegative().optional(),
  pollIntervalMs: z.number().min(5).optional(),
  maxShadowQueue: z.number().int().nonnegative().optional(),
  clock: fn.optional(),
  timer: fn.optional(),
  random: fn.optional(),
});

/** Validates router options (the message names the field) and returns a copy of them. */
export function parseRouterOptions(options: ModelRouterOptions): ModelRouterOptions {
  const r = schema.safeParse(options);
  if (!r.success) {
    throw new RouterError('INVALID_OPTIONS', `invalid router options: ${z.prettifyError(r.error)}`, {
      operation: 'createModelRouter',
      cause: r.error,
    });
  }
  return { ...options };
}
