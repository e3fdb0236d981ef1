/**
 * Options of `createWebhookNotifier` and their zod schema: the one place a notifier's
 * options are validated.
 */
import type { Logger, Store } from '@modelship/core';
import { parseOrThrow } from '@modelship/core/kit';
import { z } from 'zod';
import { ControllerError } from '../errors.js';
import type { Clock, ControllerEventType } from '../types.js';
import { decodeWebhookSecret } from './sign.js';

/** How an endpoint's body is written. */
export type WebhookFormat = 'standard' | 'slack';

/** One receiver of the notifier's webhooks. */
export interface WebhookEndpoint {
  /** The `http:` or `https:` URL the events are POSTed to. */
  url: string;
  /**
   * The endpoint's signing secret, as Standard Webhooks writes it: `'whsec_'` followed by the
   * base64 of the key bytes, or the base64 alone (at least 1 byte; the spec recommends 24–64).
   */
  secret: string;
  /** The event types sent to this endpoint; default every type. */
  events?: ControllerEventType[];
  /**
   * The body: `'standard'` (default) is the Standard Webhooks JSON payload (see
   * `WebhookPayload`); `'slack'` is a Slack incoming-webhook message (see
   * `formatSlackMessage`). Both are signed with the Standard Webhooks headers.
   */
  format?: WebhookFormat;
  /**
   * Extra request headers (an `Authorization` for a gateway, say). The signature headers and
   * `content-type` are always the notifier's own: a header here of the same name is replaced.
   */
  headers?: Record<string, string>;
}

/** Exponential backoff between attempts: delay n (n ≥ 1) is `min(maxMs, initialMs × factor^(n−1))` ± jitter. */
export interface BackoffOptions {
  /** The delay before the second attempt, in ms; default 1000. */
  initialMs?: number;
  /** The factor by which each delay grows; default 2. */
  factor?: number;
  /** The longest delay (also the cap on a `Retry-After`), in ms; default 60 000. */
  maxMs?: number;
  /** The relative jitter in [0, 1]: a delay d becomes a uniform value in `d × [1 − jitter, 1 + jitter]`, capped at `maxMs`; default 0.2. */
  jitter?: number;
}

/** Options of `createWebhookNotifier`. */
export interface WebhookNotifierOptions {
  /** The receivers (at least one). */
  endpoints: WebhookEndpoint[];
  /**
   * Where the delivery log is kept: one JSON record per delivery under
   * `controllerKeys.deliveriesPrefix()`, so every replica reads the same log. Without a store
   * the log is kept in memory, bounded by `memoryLogSize`.
   */
  store?: Store;
  /** The `fetch` used to send; default the global `fetch`. */
  fetch?: typeof fetch;
  /** The clock (epoch ms) of attempt times and `webhook-timestamp`; default `Date.now`. */
  clock?: Clock;
  /** Waits between attempts; default a `setTimeout` promise. Injected so a test can record or skip the delays. */
  sleep?: (ms: number) => Promise<void>;
  /** A random source in [0, 1) for the jitter; default `Math.random`. */
  random?: () => number;
  /** Attempts per delivery in all (the first and its retries); default 6. */
  maxAttempts?: number;
  /** The backoff between attempts. */
  backoff?: BackoffOptions;
  /** How long one attempt may take (until the response body is read), in ms; default 10 000. */
  timeoutMs?: number;
  /** How long `close()` waits for pending deliveries before it cancels them, in ms; default 10 000. */
  closeTimeoutMs?: number;
  /** How many deliveries the in-memory log keeps (the oldest finished ones go first); default 1000. */
  memoryLogSize?: number;
  /** The logger (silent by default); the notifier logs through a child `{ component: 'notifier' }`. */
  logger?: Logger;
}

/** The full list of {@link ControllerEventType}s (checked against the type below). */
export const CONTROLLER_EVENT_TYPES = [
  'candidate.registered',
  'gate.passed',
  'gate.failed',
  'rollout.deployed',
  'rollout.started',
  'rollout.ramped',
  'rollout.promoted',
  'rollout.rolledBack',
  'rollout.held',
  'approval.requested',
  'approval.granted',
  'approval.rejected',
  'drift.detected',
  'retraining.started',
  'retraining.succeeded',
  'retraining.failed',
  'lease.acquired',
  'lease.lost',
] as const satisfies readonly ControllerEventType[];

// Fails to compile when a ControllerEventType is added to types.ts but not to the list above.
type MissingEventTypes = Exclude<ControllerEventType, (typeof CONTROLLER_EVENT_TYPES)[number]>;
const exhaustive: MissingEventTypes extends never ? true : never = true;
void exhaustive;

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

const fn = (what: string) =>
  z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { message: `expected ${what}` });

const storeSchema = z.custom<Store>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    ['get', 'put', 'list'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
  { message: 'expected a Store (an object with get, put and list)' },
);

const loggerSchema = z.custom<Logger>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    ['debug', 'info', 'warn', 'error'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
  { message: 'expected a Logger (debug, info, warn, error)' },
);

const endpointSchema = z.strictObject({
  url: z.string().refine(isHttpUrl, { message: 'expected an http: or https: URL' }),
  secret: z.string().refine((s) => decodeWebhookSecret(s) !== undefined, {
    message: "expected a Standard Webhooks secret: 'whsec_' followed by base64, or base64 (at least 1 byte)",
  }),
  events: z.array(z.enum(CONTROLLER_EVENT_TYPES)).min(1).optional(),
  format: z.enum(['standard', 'slack']).optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

const optionsSchema = z.strictObject({
  endpoints: z.array(endpointSchema).min(1),
  store: storeSchema.optional(),
  fetch: fn('a fetch function').optional(),
  clock: fn('a clock function returning epoch ms').optional(),
  sleep: fn('a sleep function (ms) => Promise<void>').optional(),
  random: fn('a random source () => number in [0, 1)').optional(),
  maxAttempts: z.number().int().min(1).max(100).optional(),
  backoff: z
    .strictObject({
      initialMs: z.number().min(0).max(86_400_000).optional(),
      factor: z.number().min(1).max(100).optional(),
      maxMs: z.number().min(0).max(86_400_000).optional(),
      jitter: z.number().min(0).max(1).optional(),
    })
    .optional(),
  timeoutMs: z.number().int().min(1).max(3_600_000).optional(),
  closeTimeoutMs: z.number().int().min(0).max(3_600_000).optional(),
  memoryLogSize: z.number().int().min(1).max(1_000_000).optional(),
  logger: loggerSchema.optional(),
});

/** Options with every default applied. */
export interface ResolvedNotifierOptions {
  endpoints: Array<{
    url: string;
    key: Buffer;
    events: ReadonlySet<ControllerEventType> | undefined;
    format: WebhookFormat;
    headers: Record<string, string>;
  }>;
  store: Store | undefined;
  fetch: typeof fetch;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  maxAttempts: number;
  backoff: Required<BackoffOptions>;
  timeoutMs: number;
  closeTimeoutMs: number;
  memoryLogSize: number;
  logger: Logger | undefined;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Validates {@link WebhookNotifierOptions} and applies the defaults. Throws
 * `ControllerError('INVALID_OPTIONS')` whose message names the field (`endpoints[0].secret`…).
 */
export function resolveNotifierOptions(options: WebhookNotifierOptions): ResolvedNotifierOptions {
  const operation = 'createWebhookNotifier';
  parseOrThrow(
    optionsSchema,
    options,
    operation,
    'options',
    (message, o) => new ControllerError('INVALID_OPTIONS', message, o),
  );
  const b = options.backoff ?? {};
  const backoff = {
    initialMs: b.initialMs ?? 1000,
    factor: b.factor ?? 2,
    maxMs: b.maxMs ?? 60_000,
    jitter: b.jitter ?? 0.2,
  };
  if (backoff.initialMs > backoff.maxMs) {
    throw new ControllerError(
      'INVALID_OPTIONS',
      `${operation}: invalid options\n✖ backoff.initialMs (${backoff.initialMs}) must not exceed backoff.maxMs (${backoff.maxMs})\n  → at backoff.initialMs`,
      { operation, details: { field: 'backoff.initialMs' } },
    );
  }
  const globalFetch = typeof globalThis.fetch === 'function' ? globalThis.fetch.bind(globalThis) : undefined;
  const fetchImpl = options.fetch ?? globalFetch;
  if (!fetchImpl) {
    throw new ControllerError(
      'INVALID_OPTIONS',
      `${operation}: invalid options\n✖ no global fetch: pass one\n  → at fetch`,
      {
        operation,
        details: { field: 'fetch' },
      },
    );
  }
  return {
    endpoints: options.endpoints.map((e) => ({
      url: e.url,
      key: decodeWebhookSecret(e.secret) as Buffer,
      events: e.events ? new Set(e.events) : undefined,
      format: e.format ?? 'standard',
      headers: { ...(e.headers ?? {}) },
    })),
    store: options.store,
    fetch: fetchImpl,
    clock: options.clock ?? Date.now,
    sleep: options.sleep ?? defaultSleep,
    random: options.random ?? Math.random,
    maxAttempts: options.maxAttempts ?? 6,
    backoff,
    timeoutMs: options.timeoutMs ?? 10_000,
    closeTimeoutMs: options.closeTimeoutMs ?? 10_000,
    memoryLogSize: options.memoryLogSize ?? 1000,
    logger: options.logger,
  };
}
