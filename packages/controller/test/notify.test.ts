/**
 * The webhook notifier against a real HTTP receiver (node:http on 127.0.0.1): signatures checked
 * by the independent `standardwebhooks` package, retries, backoff, Retry-After, timeouts, the
 * delivery log (in memory and in a MemoryStore), close and flush.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Logger, MemoryStore, type Store } from '@modelship/core';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebhookNotifier, formatSlackMessage, type WebhookNotifier } from '../src/notify/index.js';
import { controllerKeys, getJson } from '../src/store-json.js';
import type { ControllerEvent, ControllerEventType } from '../src/types.js';

// ---- a real receiver ---------------------------------------------------------------------------

type Reply = { status: number; headers?: Record<string, string>; body?: string; delayMs?: number } | 'hang';

interface Hit {
  headers: Record<string, string>;
  body: string;
  at: number;
  path: string;
}

interface Receiver {
  url: string;
  hits: Hit[];
  close(): Promise<void>;
}

const servers: Server[] = [];
const notifiers: WebhookNotifier[] = [];

afterEach(async () => {
  await Promise.all(notifiers.splice(0).map((n) => n.close()));
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

async function receiver(reply: (n: number) => Reply = () => ({ status: 200 })): Promise<Receiver> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const n = hits.push({
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
        path: req.url ?? '',
      });
      const r = reply(n - 1);
      if (r === 'hang') return; // never answers
      const send = (): void => {
        res.writeHead(r.status, r.headers);
        res.end(r.body ?? '');
      };
      if (r.delayMs) setTimeout(send, r.delayMs);
      else send();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/modelship?token=t0p-s3cret`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Replies in turn from the list, then 200. */
const replies =
  (...list: Reply[]) =>
  (n: number): Reply =>
    list[n] ?? { status: 200 };

function notifier(options: Parameters<typeof createWebhookNotifier>[0]): WebhookNotifier {
  const n = createWebhookNotifier(options);
  notifiers.push(n);
  return n;
}

const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

let seq = 0;
function ev(type: ControllerEventType, over: Partial<ControllerEvent> = {}): ControllerEvent {
  seq++;
  return {
    id: `evt_${seq}_${randomBytes(4).toString('hex')}`,
    type,
    model: 'fraud',
    at: Date.now(),
    message: `event ${seq}: fraud v7 AUC 0.91 vs 0.89`,
    data: { version: 7, from: 6 },
    ...over,
  };
}

/** Verifies a hit with the reference library and returns the parsed body. */
function verify(secret: string, hit: Hit): unknown {
  return new Webhook(secret).verify(hit.body, hit.headers);
}

/** A sleep that records its delays and resolves at once. */
function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

function recordingLogger(): Logger & { lines: Array<{ level: string; obj: object; msg: string | undefined }> } {
  const lines: Array<{ level: string; obj: object; msg: string | undefined }> = [];
  const at =
    (level: string) =>
    (obj: object, msg?: string): void =>
      void lines.push({ level, obj, msg });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), lines };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

// ---- signatures ---------------------------------------------------------------------------------

describe('webhook signatures (verified by the standardwebhooks package)', () => {
  it('signs several events so that the reference verifier accepts them, with and without the whsec_ prefix', async () => {
    const r = await receiver();
    const prefixed = newSecret();
    const bare = newSecret().slice('whsec_'.length);
    const n = notifier({
      endpoints: [
        { url: r.url, secret: prefixed, headers: { authorization: 'Bearer gw', 'Webhook-Id': 'forged' } },
        { url: r.url.replace('/hooks/', '/bare/'), secret: bare },
      ],
    });
    const events = [
      ev('rollout.promoted'),
      ev('gate.failed', { data: { metric: 'auc', candidate: 0.81, baseline: 0.9, reasons: ['worse'] } }),
      ev('lease.acquired', { model: '', data: {} }),
      ev('drift.detected', { message: 'PSI 0.31 on "income" — über threshold ✓', data: { psi: 0.31 } }),
    ];
    for (const e of events) await n.notify(e);
    await n.flush();
    expect(r.hits).toHaveLength(events.length * 2);

    for (const e of events) {
      const mine = r.hits.filter((h) => h.headers['webhook-id'] === e.id);
      expect(mine).toHaveLength(2);
      for (const hit of mine) {
        const secret = hit.path.startsWith('/bare/') ? bare : prefixed;
        const payload = verify(secret, hit);
        expect(payload).toEqual({
          type: e.type,
          timestamp: new Date(e.at).toISOString(),
          data: { id: e.id, model: e.model, at: e.at, message: e.message, ...e.data },
        });
        expect(hit.headers['content-type']).toBe('application/json');
        expect(hit.headers['webhook-timestamp']).toMatch(/^\d+$/);
        expect(Math.abs(Number(hit.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(30);
        expect(hit.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
        // the other endpoint's secret does not verify it (the secrets are really used)
        expect(() => verify(secret === bare ? prefixed : bare, hit)).toThrow(/signature/i);
      }
      const first = mine.find((h) => !h.path.startsWith('/bare/'))!;
      expect(first.headers.authorization).toBe('Bearer gw');
      expect(first.headers['webhook-id']).toBe(e.id); // an endpoint header cannot forge it
    }
    const log = await n.deliveries();
    expect(log).toHaveLength(8);
    expect(log.every((d) => d.state === 'delivered' && d.attempts.length === 1 && d.attempts[0]?.status === 200)).toBe(
      true,
    );
    expect(log.map((d) => d.endpoint)).toContain(r.url.split('?')[0]);
    expect(log.some((d) => d.endpoint.includes('token') || d.endpoint.includes('s3cret'))).toBe(false);
  });

  it('negative control: a tampered body, id or timestamp fails verification', async () => {
    const r = await receiver();
    const secret = newSecret();
    const n = notifier({ endpoints: [{ url: r.url, secret }] });
    await n.notify(ev('rollout.started', { data: { percent: 5 } }));
    await n.flush();
    const hit = r.hits[0]!;
    expect(() => verify(secret, hit)).not.toThrow();
    expect(() => verify(secret, { ...hit, body: hit.body.replace('"percent":5', '"percent":50') })).toThrow(
      /No matching signature/,
    );
    expect(() => verify(secret, { ...hit, headers: { ...hit.headers, 'webhook-id': 'evt_other' } })).toThrow(
      /No matching signature/,
    );
    const ts = String(Number(hit.headers['webhook-timestamp']) - 1);
    expect(() => verify(secret, { ...hit, headers: { ...hit.headers, 'webhook-timestamp': ts } })).toThrow(
      /No matching signature/,
    );
  });

  it('sends only the event types an endpoint asks for', async () => {
    const r = await receiver();
    const secret = newSecret();
    const n = notifier({ endpoints: [{ url: r.url, secret, events: ['rollout.rolledBack', 'approval.requested'] }] });
    await n.notify(ev('rollout.started'));
    await n.notify(ev('rollout.rolledBack'));
    await n.notify(ev('approval.requested'));
    await n.notify(ev('gate.passed'));
    await n.flush();
    expect(r.hits.map((h) => (verify(secret, h) as { type: string }).type)).toEqual([
      'rollout.rolledBack',
      'approval.requested',
    ]);
    expect(await n.deliveries()).toHaveLength(2);
  });

  it("a 'slack' endpoint gets the Slack message as its body, still signed", async () => {
    const r = await receiver();
    const secret = newSecret();
    const n = notifier({ endpoints: [{ url: r.url, secret, format: 'slack' }] });
    const e = ev('rollout.rolledBack', { data: { version: 7, reason: 'error rate 4.1% > 2%' } });
    await n.notify(e);
    await n.flush();
    expect(r.hits).toHaveLength(1);
    expect(verify(secret, r.hits[0]!)).toEqual(formatSlackMessage(e));
  });
});

// ---- retries ------------------------------------------------------------------------------------

describe('retries and backoff', () => {
  it('503, 503, then 200: three attempts with the same webhook-id, backoff delays as configured, delivered', async () => {
    const r = await receiver(replies({ status: 503 }, { status: 503, body: 'busy' }));
    const secret = newSecret();
    const delays: number[] = [];
    const n = notifier({
      endpoints: [{ url: r.url, secret }],
      backoff: { initialMs: 15, factor: 3, jitter: 0 },
      sleep: (ms) => {
        delays.push(ms);
        return new Promise((resolve) => setTimeout(resolve, ms));
      },
    });
    const e = ev('rollout.ramped');
    await n.notify(e);
    await n.flush();

    expect(r.hits).toHaveLength(3);
    expect(r.hits.map((h) => h.headers['webhook-id'])).toEqual([e.id, e.id, e.id]);
    for (const h of r.hits) expect(() => verify(secret, h)).not.toThrow(); // each attempt is signed afresh
    expect(delays).toEqual([15, 45]);
    expect(r.hits[1]!.at - r.hits[0]!.at).toBeGreaterThanOrEqual(14);
    expect(r.hits[2]!.at - r.hits[1]!.at).toBeGreaterThanOrEqual(44);

    const [d] = await n.deliveries({ eventId: e.id });
    expect(d).toMatchObject({ eventId: e.id, type: 'rollout.ramped', state: 'delivered' });
    expect(d!.attempts.map((a) => a.status)).toEqual([503, 503, 200]);
    expect(d!.attempts[1]!.error).toBe('HTTP 503: busy');
    expect(d!.attempts[2]!.error).toBeUndefined();
    expect(d!.nextAttemptAt).toBeUndefined();
    expect(d!.attempts.every((a) => a.durationMs >= 0 && a.at > 0)).toBe(true);
  });

  it('with the default sleep, waits the exponential backoff between attempts', async () => {
    const r = await receiver(replies({ status: 500 }, { status: 502 }));
    const n = notifier({ endpoints: [{ url: r.url, secret: newSecret() }], backoff: { initialMs: 20, jitter: 0 } });
    await n.notify(ev('retraining.started'));
    await n.flush();
    expect(r.hits).toHaveLength(3);
    expect(r.hits[1]!.at - r.hits[0]!.at).toBeGreaterThanOrEqual(19);
    expect(r.hits[2]!.at - r.hits[1]!.at).toBeGreaterThanOrEqual(39);
  });

  it('shows the pending delivery and its nextAttemptAt while it waits for a retry', async () => {
    const r = await receiver(replies({ status: 503 }));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const n = notifier({
      endpoints: [{ url: r.url, secret: newSecret() }],
      backoff: { initialMs: 5000, jitter: 0 },
      sleep: () => gate,
    });
    const e = ev('approval.requested');
    const before = Date.now();
    await n.notify(e);
    await until(() => r.hits.length === 1);
    let d: Awaited<ReturnType<WebhookNotifier['deliveries']>>[number] | undefined;
    for (let i = 0; i < 200; i++) {
      [d] = await n.deliveries();
      if (d?.nextAttemptAt !== undefined) break;
      await new Promise((res) => setTimeout(res, 5));
    }
    expect(d).toMatchObject({ state: 'pending' });
    expect(d!.attempts.map((a) => a.status)).toEqual([503]);
    expect(d!.nextAttemptAt).toBeGreaterThanOrEqual(before + 5000);
    expect((await n.deliveries({ state: 'pending' })).length).toBe(1);
    release();
    await n.flush();
    [d] = await n.deliveries();
    expect(d).toMatchObject({ state: 'delivered' });
    expect(d!.nextAttemptAt).toBeUndefined();
  });

  it('honours Retry-After in seconds on 429 and as an HTTP date on 503, capped at backoff.maxMs', async () => {
    const future = new Date(Date.now() + 8000).toUTCString();
    const r = await receiver(
      replies(
        { status: 429, headers: { 'retry-after': '2' } },
        { status: 503, headers: { 'retry-after': future } },
        { status: 429, headers: { 'retry-after': '3600' } },
        { status: 500, headers: { 'retry-after': '7' } }, // not 429/503: the backoff applies
      ),
    );
    const { sleep, delays } = recordingSleep();
    const n = notifier({
      endpoints: [{ url: r.url, secret: newSecret() }],
      backoff: { initialMs: 10, factor: 2, maxMs: 30_000, jitter: 0 },
      sleep,
    });
    await n.notify(ev('rollout.held'));
    await n.flush();
    expect(r.hits).toHaveLength(5);
    expect(delays[0]).toBe(2000);
    expect(delays[1]).toBeGreaterThan(5000); // the date is whole seconds: 7-8 s from now
    expect(delays[1]).toBeLessThanOrEqual(8000);
    expect(delays[2]).toBe(30_000); // capped
    expect(delays[3]).toBe(80); // 10 × 2^3
    const [d] = await n.deliveries();
    expect(d!.attempts.map((a) => a.status)).toEqual([429, 503, 429, 500, 200]);
    expect(d!.state).toBe('delivered');
  });

  it('does not retry a 400 (or another 4xx): one attempt, state failed, the reason recorded', async () => {
    const r = await receiver(() => ({ status: 400, body: '{"error":"bad payload"}' }));
    const logger = recordingLogger();
    const { sleep, delays } = recordingSleep();
    const n = notifier({ endpoints: [{ url: r.url, secret: newSecret() }], sleep, logger });
    const e = ev('gate.passed');
    await n.notify(e);
    await n.flush();
    expect(r.hits).toHaveLength(1);
    expect(delays).toEqual([]);
    const [d] = await n.deliveries({ state: 'failed' });
    expect(d).toMatchObject({ eventId: e.id, state: 'failed', error: 'HTTP 400: {"error":"bad payload"}' });
    expect(d!.attempts).toEqual([expect.objectContaining({ status: 400, error: 'HTTP 400: {"error":"bad payload"}' })]);
    expect(logger.lines.some((l) => l.level === 'warn' && l.msg === 'webhook delivery failed')).toBe(true);
  });

  it('does not follow a redirect (not retried, recorded as failed)', async () => {
    const r = await receiver(() => ({ status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } }));
    const n = notifier({ endpoints: [{ url: r.url, secret: newSecret() }], sleep: recordingSleep().sleep });
    await n.notify(ev('gate.passed'));
    await n.flush();
    expect(r.hits).toHaveLength(1);
    const [d] = await n.deliveries();
    expect(d).toMatchObject({ state: 'failed', error: 'HTTP 302 (redirects are not followed)' });
  });

  it('gives up after maxAttempts of 5xx', async () => {
    const r = await receiver(() => ({ status: 500 }));
    const { sleep, delays } = recordingSleep();
    const n = notifier({
      endpoints: [{ url: r.url, secret: newSecret() }],
      maxAttempts: 4,
      backoff: { initialMs: 100, factor: 2, maxMs: 300, jitter: 0 },
      sleep,
    });
    await n.notify(ev('retraining.failed'));
    await n.flush();
    expect(r.hits).toHaveLength(4);
    expect(delays).toEqual([100, 200, 300]);
    const [d] = await n.deliveries();
    expect(d).toMatchObject({ state: 'failed', error: 'HTTP 500' });
    expect(d!.attempts).toHaveLength(4);
  });

  it('applies the jitter from the injected random source', async () => {
    const r = await receiver(replies({ status: 503 }, { status: 503 }));
    const { sleep, delays } = recordingSleep();
    const randoms = [0, 1];
    const n = notifier({
      endpoints: [{ url: r.url, secret: newSecret() }],
      backoff: { initialMs: 1000, factor: 2, jitter: 0.2 },
      sleep,
      random: () => randoms.shift() ?? 0.5,
    });
    await n.notify(ev('rollout.ramped'));
    await n.flush();
    expect(delays).toEqual([800, 2400]); // 1000 × 0.8, 2000 × 1.2
  });

  it('a receiver that hangs: the attempt times out and is retried', async () => {
    const r = await receiver(replies('hang'));
    const { sleep } = recordingSleep();
    const n = notifier({ endpoints: [{ url: r.url, secret: newSecret() }], timeoutMs: 300, sleep });
    const e = ev('candidate.registered');
    await n.notify(e);
    await n.flush();
    expect(r.hits).toHaveLength(2);
    expect(r.hits[1]!.headers['webhook-id']).toBe(e.id);
    const [d] = await n.deliveries();
    expect(d!.state).toBe('delivered');
    expect(d!.attempts[0]).toMatchObject({ error: 'timed out after 300 ms' });
    expect(d!.attempts[0]!.status).toBeUndefined();
    expect(d!.attempts[0]!.durationMs).toBeGreaterThanOrEqual(290);
    expect(d!.attempts[1]!.status).toBe(200);
  });

  it('a refused connection is a network error: retried, then failed', async () => {
    const r = await receiver();
    await r.close(); // nothing listens on the port any more
    const { sleep, delays } = recordingSleep();
    const n = notifier({ endpoints: [{ url: r.url, secret: newSecret() }], maxAttempts: 3, sleep });
    await n.notify(ev('lease.lost', { model: '' }));
    await n.flush();
    const [d] = await n.deliveries();
    expect(delays).toHaveLength(2);
    expect(d!.state).toBe('failed');
    expect(d!.attempts).toHaveLength(3);
    expect(d!.attempts[0]!.error).toMatch(/fetch failed|ECONNREFUSED/);
  });
});

// ---- notify, flush, close -------------------------------------------------------------------

describe('notify, flush and close', () => {
  it('notify returns once the first attempt is sent, without waiting for the answer; flush waits', async () => {
    const r = await receiver(() => ({ status: 200, delayMs: 400 }));
    const n = notifier({ endpoints: [{ url: r.url, secret: newSecret() }] });
    const t0 = performance.now();
    await n.notify(ev('rollout.started'));
    expect(performance.now() - t0).toBeLessThan(300);
    const [pending] = await n.deliveries();
    expect(pending).toMatchObject({ state: 'pending', attempts: [] });
    await until(() => r.hits.length === 1); // it was on its way
    await n.flush();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(390);
    const [d] = await n.deliveries();
    expect(d).toMatchObject({ state: 'delivered' });
  });

  it('notify does not wait for the retry sequence', async () => {
    const r = await receiver(() => ({ status: 503 }));
    const n = notifier({
      endpoints: [{ url: r.url, secret: newSecret() }],
      backoff: { initialMs: 60_000 },
      closeTimeoutMs: 50,
    });
    const t0 = performance.now();
    await n.notify(ev('drift.detected'));
    await n.notify(ev('drift.detected'));
    expect(performance.now() - t0).toBeLessThan(1000);
    await until(() => r.hits.length === 2);
  });

  it('close waits for pending deliveries (bounded), then cancels the rest, recording them failed', async () => {
    const slow = await receiver(() => ({ status: 200, delayMs: 150 }));
    const down = await receiver(() => ({ status: 503 }));
    const n = createWebhookNotifier({
      endpoints: [
        { url: slow.url, secret: newSecret(), events: ['rollout.promoted'] },
        { url: down.url, secret: newSecret(), events: ['rollout.rolledBack'] },
      ],
      backoff: { initialMs: 60_000 },
      closeTimeoutMs: 400,
    });
    await n.notify(ev('rollout.promoted'));
    await n.notify(ev('rollout.rolledBack'));
    await until(() => down.hits.length === 1);
    const t0 = performance.now();
    await n.close();
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(380);
    expect(took).toBeLessThan(5000);
    const log = await n.deliveries();
    const byType = Object.fromEntries(log.map((d) => [d.type, d]));
    expect(byType['rollout.promoted']).toMatchObject({ state: 'delivered' });
    expect(byType['rollout.rolledBack']).toMatchObject({ state: 'failed' });
    expect(byType['rollout.rolledBack']!.error).toMatch(/closed/);
    expect(byType['rollout.rolledBack']!.nextAttemptAt).toBeUndefined();

    // after close: nothing is sent, nothing throws; close is idempotent
    await expect(n.notify(ev('rollout.promoted'))).resolves.toBeUndefined();
    await n.close();
    expect(slow.hits).toHaveLength(1);
  });

  it('a close that starts while notify is still writing the record waits for that delivery', async () => {
    const r = await receiver();
    const store = new MemoryStore();
    const slowStore: Store = Object.assign(Object.create(store) as MemoryStore, {
      put: async (...args: Parameters<MemoryStore['put']>) => {
        await new Promise((res) => setTimeout(res, 100));
        return store.put(...args);
      },
    });
    const n = createWebhookNotifier({ endpoints: [{ url: r.url, secret: newSecret() }], store: slowStore });
    const notified = n.notify(ev('rollout.promoted'));
    await n.close();
    await notified;
    expect(r.hits).toHaveLength(1);
    const [d] = await n.deliveries();
    expect(d).toMatchObject({ state: 'delivered' });
  });

  it('close aborts an attempt in flight once the bound is reached', async () => {
    const r = await receiver(() => 'hang');
    const n = createWebhookNotifier({
      endpoints: [{ url: r.url, secret: newSecret() }],
      timeoutMs: 60_000,
      closeTimeoutMs: 100,
    });
    await n.notify(ev('rollout.started'));
    await until(() => r.hits.length === 1);
    const t0 = performance.now();
    await n.close();
    expect(performance.now() - t0).toBeLessThan(5000);
    const [d] = await n.deliveries();
    expect(d).toMatchObject({ state: 'failed' });
    expect(d!.attempts).toHaveLength(1);
    expect(d!.attempts[0]!.error).toMatch(/closed/);
  });

  it('never throws into the caller: an event that is not JSON, a bad id, a throwing fetch, a failing store', async () => {
    const logger = recordingLogger();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const failing: Store = Object.assign(new MemoryStore(), {
      put: async () => {
        throw new Error('disk full');
      },
    });
    const n = notifier({
      endpoints: [{ url: 'http://127.0.0.1:9/never', secret: newSecret() }],
      fetch: () => {
        throw new Error('fetch exploded');
      },
      store: failing,
      maxAttempts: 2,
      sleep: recordingSleep().sleep,
      logger,
    });
    await expect(n.notify(ev('gate.failed', { data: circular }))).resolves.toBeUndefined();
    await expect(n.notify(ev('gate.failed', { id: 'bad\nid' }))).resolves.toBeUndefined();
    await expect(n.notify(ev('gate.failed'))).resolves.toBeUndefined();
    await expect(n.notify(null as unknown as ControllerEvent)).resolves.toBeUndefined();
    await n.flush();
    const warnings = logger.lines.filter((l) => l.level === 'warn').map((l) => l.msg);
    expect(warnings).toContain('could not write the delivery record');
    expect(logger.lines.some((l) => l.level === 'error' && l.msg === 'webhook not sent')).toBe(true);
    expect(warnings).toContain('webhook delivery failed');
  });

  it('records an event that cannot be serialised as a failed delivery without attempts', async () => {
    const r = await receiver();
    const n = notifier({ endpoints: [{ url: r.url, secret: newSecret() }] });
    await n.notify(ev('gate.failed', { data: { n: 10n } }));
    await n.flush();
    expect(r.hits).toHaveLength(0);
    const [d] = await n.deliveries();
    expect(d).toMatchObject({ state: 'failed', attempts: [] });
    expect(d!.error).toMatch(/cannot be serialised as JSON/);
  });
});

// ---- the delivery log -----------------------------------------------------------------------

describe('the delivery log', () => {
  it('is persisted to the store, one JSON record per delivery, and read back newest first by another notifier', async () => {
    const r = await receiver((n) => (n === 1 ? { status: 400 } : { status: 200 }));
    const store = new MemoryStore();
    const secret = newSecret();
    const a = notifier({ endpoints: [{ url: r.url, secret }], store });
    const events = [ev('candidate.registered'), ev('gate.failed'), ev('rollout.started')];
    for (const e of events) {
      await a.notify(e);
      await a.flush(); // one at a time, so the receiver's order is the events' order
    }
    const keys = await store.list(controllerKeys.deliveriesPrefix());
    expect(keys).toHaveLength(3);
    expect(keys.every((k) => /^controller\/deliveries\/dlv_[0-9]{15}_[0-9a-z]{6}_[0-9a-f]{8}\.json$/.test(k))).toBe(
      true,
    );
    const stored = await getJson<{ eventId: string; state: string }>(store, keys[1]!);
    expect(stored?.value).toMatchObject({ eventId: events[1]!.id, state: 'failed' });

    // a second notifier (another replica) over the same store sees the same log
    const b = notifier({ endpoints: [{ url: r.url, secret }], store });
    const log = await b.deliveries();
    expect(log.map((d) => d.eventId)).toEqual(events.map((e) => e.id).reverse());
    expect(log.map((d) => d.state)).toEqual(['delivered', 'failed', 'delivered']);
    expect(await b.deliveries({ state: 'failed' })).toEqual([expect.objectContaining({ eventId: events[1]!.id })]);
    expect(await b.deliveries({ eventId: events[0]!.id })).toEqual([
      expect.objectContaining({ eventId: events[0]!.id, type: 'candidate.registered' }),
    ]);
    expect(await b.deliveries({ limit: 2 })).toHaveLength(2);
    expect(await a.deliveries()).toEqual(log);
  });

  it('records every attempt in the store as it happens', async () => {
    const r = await receiver(replies({ status: 503 }, { status: 429 }));
    const store = new MemoryStore();
    const n = notifier({ endpoints: [{ url: r.url, secret: newSecret() }], store, sleep: recordingSleep().sleep });
    await n.notify(ev('rollout.promoted'));
    await n.flush();
    const [key] = await store.list(controllerKeys.deliveriesPrefix());
    const rec = await getJson<{ attempts: Array<{ status: number }>; state: string }>(store, key!);
    expect(rec?.value.attempts.map((x) => x.status)).toEqual([503, 429, 200]);
    expect(rec?.value.state).toBe('delivered');
  });

  it('in memory, keeps at most memoryLogSize deliveries (the newest)', async () => {
    const r = await receiver();
    const n = notifier({ endpoints: [{ url: r.url, secret: newSecret() }], memoryLogSize: 3 });
    const events = Array.from({ length: 5 }, () => ev('rollout.ramped'));
    for (const e of events) await n.notify(e);
    await n.flush();
    const log = await n.deliveries();
    expect(log.map((d) => d.eventId)).toEqual(
      events
        .slice(2)
        .map((e) => e.id)
        .reverse(),
    );
  });

  it('rejects a bad query naming the field', async () => {
    const n = notifier({ endpoints: [{ url: 'http://127.0.0.1:9/x', secret: newSecret() }] });
    await expect(n.deliveries({ limit: 0 })).rejects.toMatchObject({
      name: 'ControllerError',
      code: 'INVALID_OPTIONS',
    });
    await expect(n.deliveries({ limit: 0 })).rejects.toThrow(/limit/);
    await expect(n.deliveries({ state: 'lost' as 'failed' })).rejects.toThrow(/state/);
  });
});
