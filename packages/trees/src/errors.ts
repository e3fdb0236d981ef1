/** Options shared by every {@link TreesError}. */
export interface TreesErrorOptions {
  /** The public operation that failed, e.g. `'trainGbdt'`. */
  operation?: string;
  /** Structured facts about the failure (field, expected, received…). */
  details?: Record<string, unknown>;
  /** The underlying error, if any. */
  cause?: unknown;
}

/** Codes of {@link TreesError}. */
export type TreesErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_OPTIONS'
  | 'INVALID_MODEL'
  | 'UNSUPPORTED_MODEL'
  | 'CHECKPOINT'
  | 'WORKER_FAILED';

/**
 * The one error class of `@modelship/trees`, shaped like `@modelship/core`'s errors (`code`,
 * `operation`, `details`, `cause`); recognise it by `name === 'TreesError'` and `code`.
 */
export class TreesError extends Error {
  /** A stable machine-readable code. */
  readonly code: TreesErrorCode;
  /** The public operation that failed. */
  readonly operation: string | undefined;
  /** Structured facts about the failure. */
  readonly details: Record<string, unknown> | undefined;

  /** Builds an error with a `code`, a message and the failing operation, details and cause. */
  constructor(code: TreesErrorCode, message: string, options: TreesErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TreesError';
    this.code = code;
    this.operation = options.operation;
    this.details = options.details;
  }
}

/** True when `err` is a {@link TreesError} (by name, so two copies of the package agree), optionally with `code`. */
export function isTreesError(err: unknown, code?: TreesErrorCode): err is TreesError {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { name?: unknown }).name === 'TreesError' &&
    (code === undefined || (err as { code?: unknown }).code === code)
  );
}
