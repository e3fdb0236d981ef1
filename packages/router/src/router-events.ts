import type { FallbackReason } from './prediction-log.js';
import type { RequestIdClaims } from './request-id.js';
import type { FeedbackInput } from './feedback.js';
import type { RouterRollout } from './rollout-source.js';

/** Payload of `modelSwapped`: the router now serves `rollout`. */
export interface ModelSwappedEvent {
  /** The model name. */
  readonly model: string;
  /** The rollout now in force. */
  readonly rollout: RouterRollout;
  /** The rollout served before, if any. */
  readonly previous?: RouterRollout;
  /** How long loading and swapping took, in ms. */
  readonly loadMs: number;
}

/** Payload of `fallbackUsed`: a variant failed and production answered. */
export interface FallbackUsedEvent {
  /** The model name. */
  readonly model: string;
  /** The variant that failed (e.g. `'candidate'`). */
  readonly variant: string;
  /** Its model version. */
  readonly modelVersion: number;
  /** Why it failed. */
  readonly reason: FallbackReason;
  /** The error it threw (reason `'error'`). */
  readonly error?: unknown;
}

/** Payload of `feedbackRecorded`. */
export interface FeedbackRecordedEvent {
  /** The model name. */
  readonly model: string;
  /** The request id the feedback was given for. */
  readonly requestId: string;
  /** What the id says (variant, version, time, prediction). */
  readonly claims: RequestIdClaims;
  /** The feedback as given. */
  readonly feedback: FeedbackInput;
}

/** The router's typed events (past tense; emitted after the change; throwing listeners are logged). */
export interface ModelRouterEvents {
  /** A new rollout's models were loaded and swapped in. */
  modelSwapped: (event: ModelSwappedEvent) => void;
  /** A variant failed on a request and production answered instead. */
  fallbackUsed: (event: FallbackUsedEvent) => void;
  /** Feedback was verified and recorded. */
  feedbackRecorded: (event: FeedbackRecordedEvent) => void;
}
