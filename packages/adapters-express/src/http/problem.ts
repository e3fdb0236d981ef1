/**
 * RFC 9457 problem details for every 4xx and 5xx, and the one table that maps modelship error
 * codes to HTTP statuses. Never a stack trace in a response.
 */
import { isModelshipError } from '@modelship/core';

/** An RFC 9457 problem document (`application/problem+json`). */
export interface Problem {
  /** A URI reference naming the problem type (`about:blank` when only the status matters). */
  type: string;
  /** A short summary of the type. */
  title: string;
  /** The HTTP status. */
  status: number;
  /** What went wrong this time, for a human. */
  detail?: string;
  /** The request path. */
  instance?: string;
  /** The modelship error code (e.g. `INVALID_INPUT`), when one caused it. */
  code?: string;
  /** The field path of a validation error (e.g. `rows[3].total_rooms`). */
  field?: string;
  /** What was expected, for a validation error. */
  expected?: string;
  /** The request id (`x-request-id`). */
  requestId?: string;
  /** Extra members (e.g. `currentVersion`, `etag` on a 409). */
  [member: string]: unknown;
}

/** The problem type URIs (stable; documented in the OpenAPI document). */
export const PROBLEM_TYPES = {
  validation: 'https://modelship.dev/problems/validation',
  unauthorized: 'https://modelship.dev/problems/unauthorized',
  forbidden: 'https://modelship.dev/problems/forbidden',
  notFound: 'https://modelship.dev/problems/not-found',
  conflict: 'https://modelship.dev/problems/conflict',
  tooLarge: 'https://modelship.dev/problems/payload-too-large',
  unsupportedMedia: 'https://modelship.dev/problems/unsupported-media-type',
  businessRule: 'https://modelship.dev/problems/business-rule',
  rateLimited: 'https://modelship.dev/problems/rate-limited',
  notReady: 'https://modelship.dev/problems/not-ready',
  internal: 'https://modelship.dev/problems/internal',
  methodNotAllowed: 'https://modelship.dev/problems/method-not-allowed',
} as const;

/**
 * The one table from modelship error (`name:code`, or `*:code`) to HTTP status. Codes not listed
 * are 500. A 500 never carries the error's message (it may hold internals); a 4xx does.
 */
export const ERROR_STATUS: Readonly<Record<string, number>> = {
  '*:INVALID_INPUT': 400,
  '*:INVALID_OPTIONS': 400,
  '*:SCHEMA_MISMATCH': 400,
  '*:NOT_FOUND': 404,
  '*:CONFLICT': 409,
  '*:FENCED': 409,
  '*:INVALID_STATE': 409,
  '*:FORBIDDEN': 403,
  '*:INVALID_NAME': 400,
  '*:BUSINESS_RULE': 422,
  'RouterError:NOT_READY': 503,
  'RouterError:LOAD_FAILED': 503,
  'RouterError:INVALID_REQUEST_ID': 400,
  'RouterError:EXPIRED_REQUEST_ID': 410,
  'RouterError:UNKNOWN_REQUEST_ID': 404,
  'RouterError:UNKNOWN_VARIANT': 400,
  'RouterError:DUPLICATE_FEEDBACK': 409,
  'RouterError:FEEDBACK_NOT_DURABLE': 503,
  'RouterError:TIMEOUT': 503,
  '*:CLOSED': 503,
  'DataError:EMPTY': 400,
  'DataError:PARSE': 400,
};

function typeOf(status: number): string {
  switch (status) {
    case 400:
      return PROBLEM_TYPES.validation;
    case 401:
      return PROBLEM_TYPES.unauthorized;
    case 403:
      return PROBLEM_TYPES.forbidden;
    case 404:
      return PROBLEM_TYPES.notFound;
    case 405:
      return PROBLEM_TYPES.methodNotAllowed;
    case 409:
      return PROBLEM_TYPES.conflict;
    case 413:
      return PROBLEM_TYPES.tooLarge;
    case 415:
      return PROBLEM_TYPES.unsupportedMedia;
    case 422:
      return PROBLEM_TYPES.businessRule;
    case 429:
      return PROBLEM_TYPES.rateLimited;
    case 503:
      return PROBLEM_TYPES.notReady;
    default:
      return status >= 500 ? PROBLEM_TYPES.internal : 'about:blank';
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** A problem document for `status` with a detail and extra members. */
export function problem(status: number, detail?: string, extra: Record<string, unknown> = {}): Problem {
  return {
    type: typeOf(status),
    title: TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error'),
    status,
    ...(detail !== undefined ? { detail } : {}),
    ...extra,
  };
}

/** The HTTP status of a thrown value by {@link ERROR_STATUS} (500 for anything else). */
export function statusOf(err: unknown): number {
  if (!isModelshipError(err)) {
    const s =
      (err as { status?: unknown; statusCode?: unknown } | null)?.status ??
      (err as { statusCode?: unknown } | null)?.statusCode;
    // body-parser style errors (entity.too.large, entity.parse.failed, unsupported charset)
    if (typeof s === 'number' && s >= 400 && s < 500) return s;
    return 500;
  }
  return ERROR_STATUS[`${err.name}:${err.code}`] ?? ERROR_STATUS[`*:${err.code}`] ?? 500;
}

/** The problem document of a thrown value: the message for a 4xx, a generic sentence for a 5xx. */
export function problemOf(err: unknown, instance?: string): Problem {
  const status = statusOf(err);
  const extra: Record<string, unknown> = {};
  if (instance !== undefined) extra.instance = instance;
  if (isModelshipError(err)) {
    extra.code = err.code;
    const field = (err.details as { field?: unknown } | undefined)?.field;
    if (typeof field === 'string' || typeof field === 'number') extra.field = String(field);
    const expected = (err.details as { expected?: unknown } | undefined)?.expected;
    if (typeof expected === 'string') extra.expected = expected;
    if (status === 409) {
      const d = err.details as Record<string, unknown> | undefined;
      for (const k of ['actual', 'current', 'currentVersion', 'etag', 'revision'])
        if (d && d[k] !== undefined) extra[k] = d[k];
    }
  }
  const detail =
    status >= 500 && status !== 503
      ? 'an internal error occurred; it was logged with the request id'
      : (err as Error)?.message;
  return problem(status, typeof detail === 'string' ? detail : undefined, extra);
}
