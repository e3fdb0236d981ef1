/** The retry policy of webhook deliveries: which outcomes are retried, and after how long. */
import type { BackoffOptions } from './options.js';

/** True for the statuses a delivery retries: 429 and every 5xx. Other statuses ≥ 300 fail at once. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/**
 * The delay before retry `n` (n = 1 after the first attempt failed):
 * `min(maxMs, initialMs × factor^(n−1))`, scaled by a uniform factor in
 * `[1 − jitter, 1 + jitter]` and capped at `maxMs` again; an integer ≥ 0.
 */
export function backoffDelay(n: number, backoff: Required<BackoffOptions>, random: () => number = Math.random): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** Math.max(0, n - 1));
  const r = Math.min(1, Math.max(0, random()));
  const jittered = base * (1 + backoff.jitter * (2 * r - 1));
  return Math.max(0, Math.round(Math.min(backoff.maxMs, jittered)));
}

/**
 * The wait a `Retry-After` header asks for, in ms from `now`: delay-seconds (`"120"`) or an
 * HTTP date (`"Wed, 21 Oct 2015 07:28:00 GMT"`; a date in the past is 0). `undefined` when the
 * header is absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (!/^[A-Za-z]{3}/.test(v)) return undefined; // an HTTP date (IMF-fixdate, RFC 850, asctime) starts with the day name
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * An endpoint URL fit for a log: no user info, no query or fragment (where tokens live) and,
 * for Slack's `hooks.slack.com/services/…` URLs (whose path is the secret), only the first two
 * path segments after `services` with the token replaced by `***`.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    let path = u.pathname;
    if (u.hostname === 'hooks.slack.com') {
      const parts = path.split('/').filter(Boolean);
      const keep = parts[0] === 'services' ? 3 : 1;
      path = `/${[...parts.slice(0, keep), ...(parts.length > keep ? ['***'] : [])].join('/')}`;
    }
    return `${u.protocol}//${u.host}${path}`;
  } catch {
    return '<invalid url>';
  }
}
