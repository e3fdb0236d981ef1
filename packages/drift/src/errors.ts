/**
 * The drift domain's error. Standalone (drift imports only core's types), with the shape of
 * core's `ModelshipError`, so core's `isModelshipError(err, 'DriftError', code)` recognises it.
 */
import type { ModelshipErrorOptions } from '@modelship/core';

/** Codes of {@link DriftError}. */
export type DriftErrorCode = 'INVALID_OPTIONS' | 'INVALID_INPUT' | 'INVALID_PROFILE' | 'UNKNOWN_TEST';

/** A drift computation that cannot run as asked: bad options, bad input or a corrupt profile. */
export class DriftError extends Error {
  /** A stable machine-readable code. */
  readonly code: DriftErrorCode;
  /** The public operation that failed. */
  readonly operation: string | undefined;
  /** Structured facts about the failure. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: DriftErrorCode, message: string, options: ModelshipErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DriftError';
    this.code = code;
    this.operation = options.operation;
    this.details = options.details;
  }
}
