import { ModelshipError, type ModelshipErrorOptions } from '@modelship/core';

/** Codes of {@link DriftError}. */
export type DriftErrorCode = 'INVALID_OPTIONS' | 'INVALID_INPUT' | 'INVALID_PROFILE' | 'UNKNOWN_TEST';

/** A drift computation that cannot run as asked: bad options, bad input or a corrupt profile. */
export class DriftError extends ModelshipError<DriftErrorCode> {
  constructor(code: DriftErrorCode, message: string, options?: ModelshipErrorOptions) {
    super(code, message, options);
    this.name = 'DriftError';
  }
}
