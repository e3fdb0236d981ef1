/** Exit codes of the `modelship` command line and the mapping of errors onto them. */

/**
 * The exit codes of the `modelship` command line: `OK` 0, `FAILURE` 1 (anything else that went
 * wrong: a store failure, a failed job, a replay that does not match), `USAGE` 2 (a bad command,
 * option or argument; a file given on the command line that cannot be read), `DRIFT` 3 (`drift`
 * found drift), `NOT_FOUND` 4 (no such model, version, alias, job or dataset), `CONFLICT` 5 (the
 * registry's state does not allow it: no candidate to promote, a rollout already in progress, a
 * compare-and-set conflict).
 */
export const EXIT_CODES = {
  /** Success. */
  OK: 0,
  /** A failure not covered by another code. */
  FAILURE: 1,
  /** Bad usage: unknown command or option, a bad or missing argument. */
  USAGE: 2,
  /** `drift` found drift. */
  DRIFT: 3,
  /** A model, version, alias, job or dataset does not exist. */
  NOT_FOUND: 4,
  /** The current state does not allow the change (or a concurrent change won). */
  CONFLICT: 5,
} as const;

/** One of {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** An error of the command line itself, with the exit code it ends with. */
export class CliError extends Error {
  /** The process exit code. */
  readonly exitCode: ExitCode;

  /** A one-line `message` that names what is wrong, and the exit code. */
  constructor(exitCode: ExitCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A bad argument or option (exit 2). */
export const usage = (message: string): CliError => new CliError(EXIT_CODES.USAGE, message);
/** Something named does not exist (exit 4). */
export const notFound = (message: string): CliError => new CliError(EXIT_CODES.NOT_FOUND, message);

interface CodedError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
}

/** The exit code an error ends the command with. */
export function exitCodeOf(err: unknown): ExitCode {
  if (err instanceof CliError) return err.exitCode;
  const e = (typeof err === 'object' && err !== null ? err : {}) as CodedError;
  const code = typeof e.code === 'string' ? e.code : '';
  switch (code) {
    case 'NOT_FOUND':
      return EXIT_CODES.NOT_FOUND;
    case 'CONFLICT':
    case 'INVALID_STATE':
    case 'FENCED':
      return EXIT_CODES.CONFLICT;
    case 'INVALID_INPUT':
    case 'INVALID_OPTIONS':
    case 'INVALID_NAME':
      return EXIT_CODES.USAGE;
    default:
      return EXIT_CODES.FAILURE;
  }
}

/** The error as one line: its message with line breaks folded (`; `). */
export function oneLine(err: unknown): string {
  const raw = err instanceof Error ? err.message : typeof err === 'string' ? err : `unexpected error: ${String(err)}`;
  return (
    raw
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean)
      .join('; ') || (err instanceof Error ? err.name : 'unknown error')
  );
}
