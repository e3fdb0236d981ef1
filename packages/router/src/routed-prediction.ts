import type { Explanation } from '@modelship/core';
import type { FallbackReason, PredictionRecord } from './prediction-log.js';

/**
 * The explanation attached to a result by `predict(input, { explain: true })`: the model's
 * explanation (core's `Explanation`: method, space, per-output expected value and per-column
 * contributions) with `available: true`, or `available: false` and a note saying why not (the
 * learner kind cannot explain, or the model was saved before explanations existed).
 */
export type PredictionExplanation =
  | (Explanation & { readonly available: true })
  | { readonly available: false; readonly note: string };
import type { RequestIdCodec } from './request-id.js';

/** What `predict` returns. */
export interface PredictionResult<P = unknown> {
  /** The answer of the variant that answered. */
  readonly prediction: P;
  /** The variant that answered (`'production'` after a fallback). */
  readonly variant: string;
  /** The model version that answered. */
  readonly modelVersion: number;
  /** The signed, self-describing id to send feedback with (signed on first read). */
  readonly requestId: string;
  /** Time spent in the model(s), in ms. */
  readonly latencyMs: number;
  /** Set when another variant was assigned but failed and production answered. */
  readonly fallback?: {
    /** The assigned variant that failed. */
    readonly from: string;
    /** Its model version. */
    readonly fromVersion: number;
    /** Why it failed: `'error'`, `'timeout'` or `'non_finite'`. */
    readonly reason: FallbackReason;
  };
  /** The explanation of the answer, when `explain: true` was asked (see {@link PredictionExplanation}). */
  readonly explanation?: PredictionExplanation;
}

/**
 * The value that goes into a request id so that feedback can be scored at any replica: a
 * number or a string as is; for an object (core's `Prediction`), its string `label`/`class`, its
 * `value` (number or label) or numeric `prediction`; otherwise nothing.
 */
export function scoreValue(prediction: unknown): number | string | undefined {
  if (typeof prediction === 'number' || typeof prediction === 'string') return prediction;
  if (typeof prediction === 'object' && prediction !== null) {
    const p = prediction as Record<string, unknown>;
    if (typeof p.label === 'string') return p.label;
    if (typeof p.class === 'string') return p.class;
    if (typeof p.value === 'number' || typeof p.value === 'string') return p.value;
    if (typeof p.prediction === 'number') return p.prediction;
  }
  return undefined;
}

/**
 * One routed prediction: the result returned to the caller and, the same object, the record
 * kept by the prediction log. The request id's HMAC is computed lazily, on the first read of
 * `requestId` (by the caller, `toJSON`, or a sink off the request path), so that a caller that
 * never reads it pays nothing; the id's content (time, nonce, variant, version, prediction) is
 * fixed when the request is answered.
 */
export class RoutedPrediction<P = unknown> implements PredictionResult<P>, PredictionRecord {
  #id: string | undefined;
  readonly #codec: RequestIdCodec;
  readonly #nonceHi: number;
  readonly #nonceLo: number;
  /** Set for a shadow record whose call failed. */
  error?: string;
  /** True for a mirrored (shadow) record. */
  shadow?: boolean;
  /** @inheritDoc */
  fallback?: { readonly from: string; readonly fromVersion: number; readonly reason: FallbackReason };
  /** @inheritDoc */
  explanation?: PredictionExplanation;

  constructor(
    codec: RequestIdCodec,
    /** When the request started, in ms since the epoch. */
    readonly time: number,
    /** The model name. */
    readonly model: string,
    /** The variant that answered. */
    readonly variant: string,
    /** The model version that answered. */
    readonly modelVersion: number,
    /** Time spent in the model(s), in ms. */
    readonly latencyMs: number,
    /** The answer. */
    readonly prediction: P,
    /** The input, by reference. */
    readonly input: unknown,
  ) {
    this.#codec = codec;
    const [hi, lo] = codec.nonce();
    this.#nonceHi = hi;
    this.#nonceLo = lo;
  }

  /** The signed request id (computed on first read, then cached). */
  get requestId(): string {
    return (this.#id ??= this.#codec.sign({
      time: this.time,
      variant: this.variant,
      modelVersion: this.modelVersion,
      nonceHi: this.#nonceHi,
      nonceLo: this.#nonceLo,
      prediction: scoreValue(this.prediction),
    }));
  }

  /** The JSON form returned to clients: `{ prediction, variant, modelVersion, requestId, latencyMs, fallback?, explanation? }`. */
  toJSON(): PredictionResult<P> {
    const out: { -readonly [K in keyof PredictionResult<P>]: PredictionResult<P>[K] } = {
      prediction: this.prediction,
      variant: this.variant,
      modelVersion: this.modelVersion,
      requestId: this.requestId,
      latencyMs: this.latencyMs,
    };
    if (this.fallback) out.fallback = this.fallback;
    if (this.explanation) out.explanation = this.explanation;
    return out;
  }
}
