/** The notifier's options (each bad one names its field) and its small pure parts. */
import { createHmac } from 'node:crypto';
import { isModelshipError, MemoryStore } from '@modelship/core';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  createWebhookNotifier,
  decodeWebhookSecret,
  signWebhook,
  toWebhookPayload,
  WebhookNotifier,
  type WebhookNotifierOptions,
  webhookSignatureHeaders,
} from '../src/notify/index.js';
import { backoffDelay, isRetryableStatus, parseRetryAfter, redactUrl } from '../src/notify/retry.js';

const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const url = 'https://hooks.example.com/modelship';
const ok: WebhookNotifierOptions = { endpoints: [{ url, secret }] };

function invalid(options: unknown): { message: string; field: unknown } {
  try {
    createWebhookNotifier(options as WebhookNotifierOptions);
  } catch (err) {
    expect(isModelshipError(err, 'ControllerError', 'INVALID_OPTIONS')).toBe(true);
    const e = err as Error & { details?: { field?: unknown } };
    return { message: e.message, field: e.details?.field };
  }
  throw new Error('expected createWebhookNotifier to throw');
}

describe('createWebhookNotifier options', () => {
  it('accepts good options and returns a WebhookNotifier', async () => {
    const n = createWebhookNotifier({
      endpoints: [
        { url, secret, events: ['rollout.promoted'], format: 'slack', headers: { 'x-team': 'ml' } },
        { url: 'http://127.0.0.1:8080/hook', secret: secret.slice('whsec_'.length) },
      ],
      store: new MemoryStore(),
      fetch: globalThis.fetch,
      clock: Date.now,
      sleep: async () => {},
      random: Math.random,
      maxAttempts: 3,
      backoff: { initialMs: 10, factor: 3, maxMs: 1000, jitter: 0 },
      timeoutMs: 500,
      closeTimeoutMs: 100,
      memoryLogSize: 10,
    });
    expect(n).toBeInstanceOf(WebhookNotifier);
    await n.close();
  });

  const cases: Array<[string, string, unknown]> = [
    ['no endpoints', 'endpoints', {}],
    ['empty endpoints', 'endpoints', { endpoints: [] }],
    ['a non-http url', 'endpoints[0].url', { endpoints: [{ url: 'ftp://example.com/x', secret }] }],
    ['a url that is not one', 'endpoints[0].url', { endpoints: [{ url: 'not a url', secret }] }],
    ['a missing secret', 'endpoints[0].secret', { endpoints: [{ url }] }],
    ['a secret that is not base64', 'endpoints[0].secret', { endpoints: [{ url, secret: 'whsec_not base64!' }] }],
    ['an empty secret', 'endpoints[0].secret', { endpoints: [{ url, secret: 'whsec_' }] }],
    ['an unpadded secret', 'endpoints[0].secret', { endpoints: [{ url, secret: 'whsec_YQ' }] }],
    ['an unknown event type', 'endpoints[0].events[0]', { endpoints: [{ url, secret, events: ['rollout.exploded'] }] }],
    ['an empty event list', 'endpoints[0].events', { endpoints: [{ url, secret, events: [] }] }],
    ['an unknown format', 'endpoints[0].format', { endpoints: [{ url, secret, format: 'teams' }] }],
    [
      'a non-string header',
      'endpoints[0].headers.authorization',
      { endpoints: [{ url, secret, headers: { authorization: 1 } }] },
    ],
    [
      'the second endpoint',
      'endpoints[1].secret',
      {
        endpoints: [
          { url, secret },
          { url, secret: 42 },
        ],
      },
    ],
    ['maxAttempts 0', 'maxAttempts', { ...ok, maxAttempts: 0 }],
    ['fractional maxAttempts', 'maxAttempts', { ...ok, maxAttempts: 1.5 }],
    ['a negative initialMs', 'backoff.initialMs', { ...ok, backoff: { initialMs: -1 } }],
    ['a factor below 1', 'backoff.factor', { ...ok, backoff: { factor: 0.5 } }],
    ['a jitter above 1', 'backoff.jitter', { ...ok, backoff: { jitter: 2 } }],
    ['initialMs above maxMs', 'backoff.initialMs', { ...ok, backoff: { initialMs: 5000, maxMs: 1000 } }],
    ['an unknown backoff key', 'backoff', { ...ok, backoff: { base: 2 } }],
    ['timeoutMs 0', 'timeoutMs', { ...ok, timeoutMs: 0 }],
    ['a string timeoutMs', 'timeoutMs', { ...ok, timeoutMs: '10s' }],
    ['a negative closeTimeoutMs', 'closeTimeoutMs', { ...ok, closeTimeoutMs: -5 }],
    ['memoryLogSize 0', 'memoryLogSize', { ...ok, memoryLogSize: 0 }],
    ['a store that is not one', 'store', { ...ok, store: {} }],
    ['a fetch that is not a function', 'fetch', { ...ok, fetch: 'fetch' }],
    ['a clock that is not a function', 'clock', { ...ok, clock: 0 }],
    ['a sleep that is not a function', 'sleep', { ...ok, sleep: 10 }],
    ['a random that is not a function', 'random', { ...ok, random: 0.5 }],
    ['a logger without methods', 'logger', { ...ok, logger: {} }],
  ];
  it.each(cases)('rejects %s, naming %s', (_what, field, options) => {
    const { message, field: detailField } = invalid(options);
    expect(message).toContain('createWebhookNotifier: invalid options');
    expect(message).toContain(`→ at ${field}`);
    expect(detailField).toBe(field.replace(/\[(\d+)\]/g, '.$1')); // details.field is the dotted path
  });

  it('rejects an unknown option, naming it', () => {
    const { message } = invalid({ ...ok, retries: 3 });
    expect(message).toContain('"retries"');
  });

  it('rejects options that are not an object', () => {
    expect(invalid(undefined).message).toContain('createWebhookNotifier: invalid options');
  });
});

describe('signing', () => {
  it('decodes a secret with or without whsec_, and rejects bad ones', () => {
    const raw = Buffer.alloc(24, 1);
    expect(decodeWebhookSecret(`whsec_${raw.toString('base64')}`)).toEqual(raw);
    expect(decodeWebhookSecret(raw.toString('base64'))).toEqual(raw);
    expect(decodeWebhookSecret('')).toBeUndefined();
    expect(decodeWebhookSecret('whsec_')).toBeUndefined();
    expect(decodeWebhookSecret('whsec_a-b_')).toBeUndefined(); // base64url is not the spec's alphabet
  });

  it('signs "<id>.<timestamp>.<body>" with HMAC-SHA256, as the reference library does', () => {
    const key = decodeWebhookSecret(secret)!;
    const body = '{"type":"gate.passed"}';
    const expected = createHmac('sha256', key).update(`msg_1.1700000000.${body}`).digest('base64');
    expect(signWebhook(key, 'msg_1', 1_700_000_000, body)).toBe(`v1,${expected}`);
    expect(new Webhook(secret).sign('msg_1', new Date(1_700_000_000_000), body)).toBe(`v1,${expected}`);
    expect(webhookSignatureHeaders(key, 'msg_1', 1_700_000_000_999, body)).toEqual({
      'webhook-id': 'msg_1',
      'webhook-timestamp': '1700000000',
      'webhook-signature': `v1,${expected}`,
    });
  });

  it('builds the Standard Webhooks payload; the event fields win over data fields of the same name', () => {
    const p = toWebhookPayload({
      id: 'evt_1',
      type: 'rollout.promoted',
      model: 'fraud',
      at: Date.UTC(2025, 0, 1),
      message: 'promoted',
      data: { version: 7, id: 'forged', model: 'other', ['__proto__']: { polluted: true } },
    });
    expect(p).toEqual({
      type: 'rollout.promoted',
      timestamp: '2025-01-01T00:00:00.000Z',
      data: { id: 'evt_1', model: 'fraud', at: Date.UTC(2025, 0, 1), message: 'promoted', version: 7 },
    });
    expect(Object.getPrototypeOf(p.data)).toBe(Object.prototype);
  });
});

describe('retry policy', () => {
  const b = { initialMs: 1000, factor: 2, maxMs: 60_000, jitter: 0.2 };

  it('retries 429 and 5xx only', () => {
    expect([429, 500, 502, 503, 504, 599].every(isRetryableStatus)).toBe(true);
    expect([200, 301, 400, 401, 403, 404, 408, 410, 422, 600].some(isRetryableStatus)).toBe(false);
  });

  it('grows the delay exponentially with jitter, capped at maxMs', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, { ...b, jitter: 0 }))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffDelay(20, { ...b, jitter: 0 })).toBe(60_000);
    expect(backoffDelay(1, b, () => 0)).toBe(800);
    expect(backoffDelay(1, b, () => 0.5)).toBe(1000);
    expect(backoffDelay(1, b, () => 0.999_999)).toBe(1200);
    expect(backoffDelay(20, b, () => 0.999_999)).toBe(60_000); // jitter never exceeds maxMs
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(3, b);
      expect(d).toBeGreaterThanOrEqual(3200);
      expect(d).toBeLessThanOrEqual(4800);
    }
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.UTC(2025, 0, 1, 0, 0, 0);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
  });

  it('redacts endpoint URLs for the log', () => {
    expect(redactUrl('https://user:pw@hooks.example.com:8443/a/b?token=x#f')).toBe(
      'https://hooks.example.com:8443/a/b',
    );
    expect(redactUrl('https://hooks.slack.com/services/T000/B000/XXXXSECRET')).toBe(
      'https://hooks.slack.com/services/T000/B000/***',
    );
    expect(redactUrl('https://hooks.slack.com/triggers/T0/123/abc')).toBe('https://hooks.slack.com/triggers/***');
  });
});
