/** The controller's error class. */
import { ModelshipError, type ModelshipErrorOptions } from '@modelship/core';

/** Codes of {@link ControllerError}. */
export type ControllerErrorCode =
  /** Options, a spec or an argument failed validation (the message names the field). */
  | 'INVALID_OPTIONS'
  /** The named model, job, approval or alert does not exist. */
  | 'NOT_FOUND'
  /** The request does not fit the current state (e.g. approve when nothing awaits approval). */
  | 'INVALID_STATE'
  /** The controller (or a runner) was closed. */
  | 'CLOSED';

/** An error of the controller, its job runner or its notifier. */
export class ControllerError extends ModelshipError<ControllerErrorCode> {
  constructor(code: ControllerErrorCode, message: string, options?: ModelshipErrorOptions) {
    super(code, message, options);
    this.name = 'ControllerError';
  }
}
