/** The management API's error class. */
import { ModelshipError, type ModelshipErrorOptions } from '@modelship/core';

/** Codes of {@link ManagementError}. */
export type ManagementErrorCode =
  /** An option of `createManagementRouter` (or an auth helper) is invalid; the message names the field. */
  | 'INVALID_OPTIONS'
  /** A request's path, query or body failed validation; `details.field` names the field. */
  | 'INVALID_INPUT'
  /** No credentials, or credentials that do not verify (wrong token, bad signature, expired). */
  | 'UNAUTHORIZED'
  /** The caller's role is below the route's. */
  | 'FORBIDDEN'
  /** The route or the thing it names does not exist (or is not configured: no job runner, no drift source). */
  | 'NOT_FOUND'
  /** The request does not fit the current state (e.g. replaying a decision logged without its inputs). */
  | 'BUSINESS_RULE'
  /** The body is not `application/json`. */
  | 'UNSUPPORTED_MEDIA_TYPE'
  /** The body is larger than the router's `bodyLimit`. */
  | 'PAYLOAD_TOO_LARGE'
  /** The rate-limit hook refused the request. */
  | 'RATE_LIMITED';

/** An error of the management API or of its auth helpers. */
export class ManagementError extends ModelshipError<ManagementErrorCode> {
  /** Use `new ManagementError(code, message, options)`. */
  constructor(code: ManagementErrorCode, message: string, options?: ModelshipErrorOptions) {
    super(code, message, options);
    this.name = 'ManagementError';
  }
}

/** HTTP statuses of the management codes that the shared table does not know. */
export const MANAGEMENT_STATUS: Readonly<Record<string, number>> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  BUSINESS_RULE: 422,
};
