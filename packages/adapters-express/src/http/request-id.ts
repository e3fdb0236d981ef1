/** Request ids: `x-request-id` echoed when it is safe to echo, generated otherwise. */
import { randomUUID } from 'node:crypto';

/** The request id header. */
export const REQUEST_ID_HEADER = 'x-request-id';

const SAFE_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The request id of a request: its `x-request-id` when 1–128 safe characters, else a new UUID. */
export function requestIdOf(header: string | string[] | undefined): string {
  const v = Array.isArray(header) ? header[0] : header;
  return v !== undefined && SAFE_ID.test(v) ? v : randomUUID();
}
