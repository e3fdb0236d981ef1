/** The error class of the BullMQ job runner and worker. */
import { ModelshipError, type ModelshipErrorOptions } from '@modelship/core';

/** Codes of {@link JobQueueError}. */
export type JobQueueErrorCode =
  /** Options or an argument failed validation (the message names the field). */
  | 'INVALID_OPTIONS'
  /** The job does not exist. */
  | 'NOT_FOUND'
  /** The request does not fit the job's state (e.g. cancelling a finished job). */
  | 'INVALID_STATE'
  /** Redis did not answer (down, unreachable, or too slow): nothing was queued or read. */
  | 'UNAVAILABLE'
  /** The runner or worker was closed. */
  | 'CLOSED';

/** An error of `createBullmqJobRunner` or `createBullmqWorker`: recognise it with `isModelshipError(err, 'JobQueueError', code)`. */
export class JobQueueError extends ModelshipError<JobQueueErrorCode> {
  constructor(code: JobQueueErrorCode, message: string, options?: ModelshipErrorOptions) {
    super(code, message, options);
    this.name = 'JobQueueError';
  }
}
