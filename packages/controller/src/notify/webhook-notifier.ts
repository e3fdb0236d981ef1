/**
 * The webhook notifier: signs every lifecycle event with Standard Webhooks, POSTs it to each
 * endpoint that wants it, retries with exponential backoff and records every attempt.
 */
import { randomBytes } from 'node:crypto';
import { childLogger, type Logger } from '@modelship/core';
import { parseOrThrow } from '@modelship/core/kit';
import { z } from 'zod';
import { ControllerError } from '../errors.js';
import type { ControllerEvent, Notifier } from '../types.js';
import {
  type DeliveryAttempt,
  type DeliveryLog,
  type DeliveryQuery,
  type DeliveryRecord,
  MemoryDeliveryLog,
  StoreDeliveryLog,
} from './delivery-log.js';
import { type ResolvedNotifierOptions, resolveNotifierOptions, type WebhookNotifierOptions } from './options.js';
import { toWebhookPayload } from './payload.js';
import { backoffDelay, isRetryableStatus, parseRetryAfter, redactUrl } from './retry.js';
import { webhookSignatureHeaders } from './sign.js';
import { formatSlackMessage } from './slack.js';

type Endpoint = ResolvedNotifierOptions['endpoints'][number];

/** What one attempt came to. */
interface AttemptOutcome {
  attempt: DeliveryAttempt;
  delivered: boolean;
  retryable: boolean;
  retryAfterMs?: number;
}

/** Header names the notifier always sets itself (an endpoint's `headers` cannot replace them). */
const OWN_HEADERS = new Set(['content-type', 'webhook-id', 'webhook-timestamp', 'webhook-signature']);
/** A `webhook-id` must be a printable header value; ids are short. */
const EVENT_ID = /^[\x21-\x7e]{1,256}$/;
const CLOSED_MESSAGE = 'cancelled: the notifier was closed before the delivery succeeded';

const querySchema = z
  .strictObject({
    eventId: z.string().optional(),
    state: z.enum(['pending', 'delivered', 'failed']).optional(),
    limit: z.number().int().min(1).optional(),
  })
  .optional();

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause && cause !== err.message ? `${err.message}: ${cause}` : err.message;
}

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 199)}…` : t;
}

/**
 * Delivers lifecycle events as signed webhooks (see {@link createWebhookNotifier}, the way to
 * build one). Implements the controller's {@link Notifier}: `notify` never throws and never
 * waits for the retry sequence.
 */
export class WebhookNotifier implements Notifier {
  private readonly opts: ResolvedNotifierOptions;
  private readonly logger: Logger;
  private readonly log: DeliveryLog;
  private readonly pending = new Set<Promise<void>>();
  private readonly cancel = new AbortController();
  private readonly cancelled: Promise<void>;
  private closing: Promise<void> | undefined;
  private seq = 0;

  /** Validates the options; use {@link createWebhookNotifier}. */
  constructor(options: WebhookNotifierOptions) {
    this.opts = resolveNotifierOptions(options);
    this.logger = childLogger(this.opts.logger, { component: 'notifier' });
    this.log = this.opts.store ? new StoreDeliveryLog(this.opts.store) : new MemoryDeliveryLog(this.opts.memoryLogSize);
    this.cancelled = new Promise((resolve) =>
      this.cancel.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    for (const e of this.opts.endpoints) {
      if (e.key.length < 24) {
        this.logger.warn(
          { endpoint: redactUrl(e.url), secretBytes: e.key.length },
          'webhook secret is shorter than the 24 bytes Standard Webhooks recommends',
        );
      }
    }
  }

  /**
   * Queues the event for every endpoint whose `events` include its type. Resolves once each
   * delivery is recorded in the log (`'pending'`) and its first attempt has been sent — without
   * waiting for the answer or the retries (await {@link WebhookNotifier.flush} for those). Never rejects: a
   * problem is logged (and, when it concerns one delivery, recorded as a failed delivery).
   * After {@link WebhookNotifier.close} the event is dropped with a warning.
   */
  async notify(event: ControllerEvent): Promise<void> {
    try {
      if (this.closing) {
        this.logger.warn({ eventId: event?.id, type: event?.type }, 'notifier is closed: event dropped');
        return;
      }
      const targets = this.opts.endpoints.filter((e) => !e.events || e.events.has(event.type));
      const bodies = new Map<string, string | Error>();
      // Tracked too, so that a close() that starts while the records are written still waits for these deliveries.
      const queued: Promise<void> = Promise.all(targets.map((e) => this.enqueue(event, e, bodies))).then(
        () => undefined,
        (err: unknown) => this.logger.error({ err, eventId: event?.id }, 'notify failed'),
      );
      this.track(queued);
      await queued;
    } catch (err) {
      this.logger.error({ err, eventId: event?.id }, 'notify failed');
    }
  }

  /** Resolves when every pending delivery has been delivered or given up on (including those queued meanwhile). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /**
   * Stops taking events, waits up to `closeTimeoutMs` for pending deliveries (retries
   * included), then cancels the rest (an in-flight request is aborted; the delivery is recorded
   * `'failed'`). Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /**
   * The delivery log, newest first: every delivery, or those of one event and/or state; at
   * most `limit` (default 100). With a store, read from the store (every replica's deliveries).
   * Throws `ControllerError('INVALID_OPTIONS')` for a bad query; a store failure rejects.
   */
  async deliveries(query?: DeliveryQuery): Promise<DeliveryRecord[]> {
    parseOrThrow(
      querySchema,
      query,
      'notifier.deliveries',
      'query',
      (m, o) => new ControllerError('INVALID_OPTIONS', m, o),
    );
    return this.log.query(query ?? {});
  }

  /** Adds `p` to the pending set until it settles (whichever way: `flush` must never see a settled one). */
  private track(p: Promise<unknown>): void {
    const tracked: Promise<void> = p.then(
      () => void this.pending.delete(tracked),
      () => void this.pending.delete(tracked),
    );
    this.pending.add(tracked);
  }

  private async shutdown(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.opts.closeTimeoutMs);
    });
    await Promise.race([this.flush(), bound]);
    clearTimeout(timer);
    if (this.pending.size > 0) {
      this.logger.warn({ pending: this.pending.size }, 'close: cancelling pending webhook deliveries');
    }
    this.cancel.abort();
    await this.flush();
  }

  private bodyFor(event: ControllerEvent, e: Endpoint, cache: Map<string, string | Error>): string | Error {
    let body = cache.get(e.format);
    if (body === undefined) {
      try {
        body = JSON.stringify(e.format === 'slack' ? formatSlackMessage(event) : toWebhookPayload(event));
      } catch (err) {
        body = new Error(`the event cannot be serialised as JSON: ${describeError(err)}`);
      }
      cache.set(e.format, body);
    }
    return body;
  }

  private nextId(now: number): string {
    const ms = String(Math.max(0, Math.floor(now))).padStart(15, '0');
    const seq = (this.seq++ % 36 ** 6).toString(36).padStart(6, '0');
    return `dlv_${ms}_${seq}_${randomBytes(4).toString('hex')}`;
  }

  private async enqueue(event: ControllerEvent, e: Endpoint, cache: Map<string, string | Error>): Promise<void> {
    const now = this.opts.clock();
    const record: DeliveryRecord = {
      id: this.nextId(now),
      eventId: String(event.id),
      endpoint: redactUrl(e.url),
      type: event.type,
      createdAt: now,
      attempts: [],
      state: 'pending',
    };
    const body = typeof event.id === 'string' && EVENT_ID.test(event.id) ? this.bodyFor(event, e, cache) : undefined;
    if (typeof body !== 'string') {
      record.state = 'failed';
      record.error = body?.message ?? 'the event id is not a printable string of 1-256 characters';
      this.logger.error({ deliveryId: record.id, eventId: record.eventId, error: record.error }, 'webhook not sent');
      await this.save(record);
      return;
    }
    await this.save(record);
    // `deliver` sends the first attempt before its first await: when this returns, it is on its way.
    this.track(this.deliver(record, e, body));
  }

  private async deliver(record: DeliveryRecord, e: Endpoint, body: string): Promise<void> {
    try {
      for (let n = 1; ; n++) {
        const out = await this.attempt(e, record.eventId, body);
        record.attempts.push(out.attempt);
        delete record.nextAttemptAt;
        const ctx = { deliveryId: record.id, eventId: record.eventId, endpoint: record.endpoint, attempt: n };
        if (out.delivered) {
          record.state = 'delivered';
          await this.save(record);
          this.logger.debug({ ...ctx, status: out.attempt.status }, 'webhook delivered');
          return;
        }
        const why = out.attempt.error ?? `HTTP ${out.attempt.status}`;
        if (this.cancel.signal.aborted) return await this.giveUp(record, CLOSED_MESSAGE);
        if (!out.retryable || n >= this.opts.maxAttempts) {
          this.logger.warn({ ...ctx, status: out.attempt.status, error: why }, 'webhook delivery failed');
          return await this.giveUp(record, why);
        }
        const { maxMs } = this.opts.backoff;
        const delayMs =
          out.retryAfterMs !== undefined
            ? Math.min(maxMs, out.retryAfterMs)
            : backoffDelay(n, this.opts.backoff, this.opts.random);
        record.nextAttemptAt = this.opts.clock() + delayMs;
        await this.save(record);
        this.logger.warn(
          { ...ctx, status: out.attempt.status, error: why, delayMs },
          'webhook attempt failed: retrying',
        );
        await Promise.race([this.opts.sleep(delayMs), this.cancelled]);
        if (this.cancel.signal.aborted) return await this.giveUp(record, CLOSED_MESSAGE);
      }
    } catch (err) {
      this.logger.error({ err, deliveryId: record.id }, 'webhook delivery crashed');
      await this.giveUp(record, describeError(err));
    }
  }

  private async giveUp(record: DeliveryRecord, error: string): Promise<void> {
    record.state = 'failed';
    record.error = error;
    delete record.nextAttemptAt;
    await this.save(record);
  }

  private async attempt(e: Endpoint, eventId: string, body: string): Promise<AttemptOutcome> {
    const { clock, timeoutMs } = this.opts;
    const at = clock();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(e.headers)) if (!OWN_HEADERS.has(k.toLowerCase())) headers[k] = v;
    Object.assign(headers, { 'content-type': 'application/json' }, webhookSignatureHeaders(e.key, eventId, at, body));

    const ac = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ac.abort(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const onCancel = (): void => ac.abort(new Error(CLOSED_MESSAGE));
    this.cancel.signal.addEventListener('abort', onCancel, { once: true });
    try {
      const res = await this.opts.fetch(e.url, {
        method: 'POST',
        headers,
        body,
        signal: ac.signal,
        redirect: 'manual',
      });
      const text = await res.text();
      const durationMs = Math.max(0, clock() - at);
      const status = res.status;
      if (status >= 200 && status < 300)
        return { attempt: { at, status, durationMs }, delivered: true, retryable: false };
      const detail = status >= 300 && status < 400 ? ' (redirects are not followed)' : text ? `: ${snippet(text)}` : '';
      const out: AttemptOutcome = {
        attempt: { at, status, error: `HTTP ${status}${detail}`, durationMs },
        delivered: false,
        retryable: isRetryableStatus(status),
      };
      if (status === 429 || status === 503) {
        const ra = parseRetryAfter(res.headers.get('retry-after'), clock());
        if (ra !== undefined) out.retryAfterMs = ra;
      }
      return out;
    } catch (err) {
      const durationMs = Math.max(0, clock() - at);
      const error = timedOut
        ? `timed out after ${timeoutMs} ms`
        : this.cancel.signal.aborted
          ? CLOSED_MESSAGE
          : describeError(err);
      return { attempt: { at, error, durationMs }, delivered: false, retryable: !this.cancel.signal.aborted };
    } finally {
      clearTimeout(timer);
      this.cancel.signal.removeEventListener('abort', onCancel);
    }
  }

  private async save(record: DeliveryRecord): Promise<void> {
    try {
      await this.log.put(record);
    } catch (err) {
      this.logger.warn({ err, deliveryId: record.id }, 'could not write the delivery record');
    }
  }
}

/**
 * Builds a {@link WebhookNotifier}: every lifecycle event is POSTed to each endpoint that wants
 * it, signed as Standard Webhooks specifies (`webhook-id` = the event id, the same on every
 * retry; `webhook-timestamp` = the attempt's time in seconds; `webhook-signature: v1,<base64
 * HMAC-SHA256 of "id.timestamp.body">`), with the body of the endpoint's format
 * (`WebhookPayload` or a Slack message). 429, 5xx, network errors and timeouts are retried
 * with exponential backoff and jitter (a `Retry-After` on 429/503 is honoured, capped at
 * `backoff.maxMs`); other statuses fail at once; redirects are not followed. Every attempt is
 * recorded in the delivery log ({@link WebhookNotifier.deliveries}).
 *
 * Throws `ControllerError('INVALID_OPTIONS')` naming the field when an option is invalid.
 *
 * @example
 * ```ts
 * const notifier = createWebhookNotifier({
 *   endpoints: [
 *     { url: 'https://hooks.example.com/modelship', secret: process.env.WEBHOOK_SECRET! },
 *     {
 *       url: process.env.SLACK_WEBHOOK_URL!,
 *       secret: process.env.WEBHOOK_SECRET!,
 *       format: 'slack',
 *       events: ['rollout.promoted', 'rollout.rolledBack', 'approval.requested'],
 *     },
 *   ],
 *   store: registryStore, // the delivery log is shared by every replica
 *   logger,
 * });
 * await notifier.notify(event); // returns once sent; retries run in the background
 * await notifier.close(); // waits (bounded) for pending deliveries
 * ```
 */
export function createWebhookNotifier(options: WebhookNotifierOptions): WebhookNotifier {
  return new WebhookNotifier(options);
}
