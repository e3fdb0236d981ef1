/**
 * An error that already knows its HTTP status and problem members, thrown by the framework-free
 * handlers and turned into `application/problem+json` by the Express adapter.
 */
import { type Problem, problem, problemOf } from './problem.js';

/** An error with an HTTP status and the extra members of its problem document. */
export class HttpError extends Error {
  /** The HTTP status (4xx or 5xx). */
  readonly status: number;
  /** Extra problem members (`field`, `expected`, `code`…). */
  readonly extra: Readonly<Record<string, unknown>>;
  /** Extra response headers (e.g. `retry-after` on a 429). */
  readonly headers: Readonly<Record<string, string>>;

  /** Use {@link httpError}. */
  constructor(
    status: number,
    detail: string,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpError';
    this.status = status;
    this.extra = extra;
    this.headers = headers;
  }
}

/** An {@link HttpError} of `status` whose detail is `detail`. */
export function httpError(
  status: number,
  detail: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): HttpError {
  return new HttpError(status, detail, extra, headers);
}

/**
 * The problem document of any thrown value: an {@link HttpError} as it says, anything else by
 * `problemOf` (the shared error-code table). A 5xx other than 503 never carries the message.
 */
export function toProblem(err: unknown, instance?: string): Problem {
  if (err instanceof HttpError) {
    const detail = err.status >= 500 && err.status !== 503 && err.status !== 501 ? undefined : err.message;
    return problem(err.status, detail, { ...(instance !== undefined ? { instance } : {}), ...err.extra });
  }
  const p = problemOf(err, instance);
  if (p.status === 400 && p.field === undefined) {
    const where = fieldFromMessage(p.detail);
    if (where) Object.assign(p, where);
  } else if (p.field !== undefined && p.expected === undefined && p.detail !== undefined) {
    const expected = expectedFromMessage(p.detail);
    if (expected !== undefined) p.expected = expected;
  }
  return p;
}

/** `"expected a number >= 0"` out of a core validation message (`… expected X, got Y …`). */
export function expectedFromMessage(message: string | undefined): string | undefined {
  if (message === undefined) return undefined;
  const m = /(?:^|[\s:;(])(?:required, )?(expected [^;\n]*?)(?:, got |;|\n|$)/.exec(message);
  return m?.[1];
}

function fieldFromMessage(message: string | undefined): { field: string; expected?: string } | undefined {
  if (message === undefined) return undefined;
  const m = /field '([^']+)'/.exec(message);
  if (!m?.[1]) return undefined;
  const expected = expectedFromMessage(message.slice(m.index));
  return { field: m[1], ...(expected !== undefined ? { expected } : {}) };
}
