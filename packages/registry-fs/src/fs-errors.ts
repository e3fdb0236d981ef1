import { RegistryError } from '@modelship/core';

/** What the file-system errors a caller can act on mean, in words (the rest keep their own message). */
const MEANING: Record<string, string> = {
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
};

/** The errno code (`'ENOSPC'`…) of a Node file-system error, if it has one. */
export function errnoOf(err: unknown): string | undefined {
  const c = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof c === 'string' ? c : undefined;
}

/**
 * The `STORE_FAILURE` a file-system error becomes: the message names the operation, the path and,
 * for EROFS, EACCES, EPERM, ENOSPC and EDQUOT, what they mean; `details` carry `path` and `errno`.
 */
export function fsFailure(
  operation: string,
  path: string,
  cause: unknown,
  details: Record<string, unknown> = {},
): RegistryError {
  const errno = errnoOf(cause);
  const meaning = errno !== undefined ? MEANING[errno] : undefined;
  const text = meaning ? `${meaning} (${errno})` : cause instanceof Error ? cause.message : String(cause);
  return new RegistryError('STORE_FAILURE', `${operation}: ${path}: ${text}`, {
    operation,
    details: { ...details, path, ...(errno !== undefined ? { errno } : {}) },
    cause,
  });
}
