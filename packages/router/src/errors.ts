import { ModelshipError, type ModelshipErrorOptions } from '@modelship/core';

/** Codes of {@link RouterError}. */
export type RouterErrorCode =
  /** Options given to a router factory are invalid (the message names the field). */
  | 'INVALID_OPTIONS'
  /** A request id that cannot be decoded, or whose signature does not match (forged or altered). */
  | 'INVALID_REQUEST_ID'
  /** A correctly signed request id older than the configured maximum age. */
  | 'EXPIRED_REQUEST_ID'
  /** A correctly signed request id naming a model version this router cannot find. */
  | 'UNKNOWN_REQUEST_ID'
  /** Feedback for a request id that this replica has already recorded feedback for. */
  | 'DUPLICATE_FEEDBACK'
  /** With `durableFeedback`: the feedback was recorded but the outcome store's `flush()` failed (it stays buffered). */
  | 'FEEDBACK_NOT_DURABLE'
  /** An override or option names a variant the current rollout does not have. */
  | 'UNKNOWN_VARIANT'
  /** The router has not loaded a rollout yet (await `router.ready()`). */
  | 'NOT_READY'
  /** A rollout or artifact could not be loaded or verified. */
  | 'LOAD_FAILED'
  /** The production model failed, so no answer could be given. */
  | 'PREDICTION_FAILED'
  /** `waitForRevision` gave up after its `timeoutMs`. */
  | 'TIMEOUT'
  /** `waitForRevision` was aborted by its `signal`. */
  | 'ABORTED'
  /** The router was closed. */
  | 'CLOSED';

/**
 * The one error class of `@modelship/router`. Check it by `name` and `code`
 * (`isModelshipError(err, 'RouterError', 'INVALID_REQUEST_ID')`), not `instanceof`.
 */
export class RouterError extends ModelshipError<RouterErrorCode> {
  constructor(code: RouterErrorCode, message: string, options?: ModelshipErrorOptions) {
    super(code, message, options);
    this.name = 'RouterError';
  }
}
