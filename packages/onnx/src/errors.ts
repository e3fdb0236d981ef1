import { ModelshipError, type ModelshipErrorOptions } from '@modelship/core';

/** Codes of {@link OnnxError}. */
export type OnnxErrorCode =
  /** An option of `toOnnx` is invalid (the message names the field). */
  | 'INVALID_OPTIONS'
  /** A part of the model has no ONNX form (the message and `details.step` name the step or learner). */
  | 'NOT_EXPORTABLE'
  /** The artifact given cannot be read (its pipeline or learner does not load). */
  | 'INVALID_ARTIFACT';

/**
 * The one error class of `@modelship/onnx`. Check it by `name` and `code`
 * (`isModelshipError(err, 'OnnxError', 'NOT_EXPORTABLE')`), not `instanceof`.
 */
export class OnnxError extends ModelshipError<OnnxErrorCode> {
  /** Builds an error with a code, a message and the failed operation, details and cause. */
  constructor(code: OnnxErrorCode, message: string, options?: ModelshipErrorOptions) {
    super(code, message, options);
    this.name = 'OnnxError';
  }
}
