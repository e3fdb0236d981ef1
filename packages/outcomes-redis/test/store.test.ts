import { isModelshipError } from '@modelship/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisOutcomeStore, type RedisOutcomeStoreOptions } from '../src/index.js';
import { freshPrefix, withRedis } from './redis.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(10);
  }
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('createRedisOutcomeStore options', () => {
  const cases: Array<[string, Partial<RedisOutcomeStoreOptions> & Record<string, unknown>]> = [
    ['client', {}],
    ['client', { url: 'redis://127.0.0.1:1', client: {} as Redis }],
    ['url', { url: 'http://127.0.0.1:6379' }],
    ['prefix', { url: 'redis://127.0.0.1:1', prefix: '' }],
    ['flushIntervalMs', { url: 'redis://127.0.0.1:1', flushIntervalMs: 0 }],
    ['maxBatch', { url: 'redis://127.0.0.1:1', maxBatch: 1.5 }],
    ['maxBuffered', { url: 'redis://127.0.0.1:1', maxBuffered: -1 }],
    ['flushTimeoutMs', { url: 'redis://127.0.0.1:1', flushTimeoutMs: Number.NaN }],
    ['replica', { url: 'redis://127.0.0.1:1', replica: 'a b' }],
    ['logger', { url: 'redis://127.0.0.1:1', logger: 'console' as never }],
  ];
  for (const [field, o] of cases) {
    it(`a bad ${field} throws ValidationError INVALID_OPTIONS naming it`, () => {
      const err = thrown(() => createRedisOutcomeStore(o as RedisOutcomeStoreOptions));
      expect(isModelshipError(err, 'ValidationError', 'INVALID_OPTIONS')).toBe(true);
      expect((err as Error).message).toContain(`${field}:`);
      expect((err as { details?: { field?: string } }).details?.field).toBe(field);
    });
  }
  it('not an object', () => {
    const err = thrown(() => createRedisOutcomeStore(undefined as never));
    expect(isModelshipError(err, 'ValidationError', 'INVALID_OPTIONS')).toBe(true);
  });
});

withRedis('outcome store behaviour', (server) => {
  describe('RedisOutcomeStore on redis-server', () => {
    let raw: Redis;
    beforeAll(async () => {
      await server.start();
      raw = new Redis(server.url);
      raw.on('error', () => undefined); // the server is stopped on purpose below
    }, 30_000);
    afterAll(async () => {
      raw?.disconnect();
      await server.destroy();
    });

    it('lays out one hash per (model, variant, version), with an index per model', async () => {
      const prefix = freshPrefix();
      const s = createRedisOutcomeStore({ url: server.url, prefix });
      const r = s.recorder({ model: 'iris/eu', variant: 'candidate', modelVersion: 3 });
      r.prediction({ latencyMs: 12, at: 1000 });
      r.prediction({ latencyMs: 0, error: true, at: 900 });
      r.feedback({ rating: 4, actual: 1, predicted: 1.5, correct: true, at: 1100 });
      await s.close();
      expect(await raw.smembers(`${prefix}models`)).toEqual(['iris/eu']);
      expect(await raw.smembers(`${prefix}index:iris%2Feu`)).toEqual(['candidate:3']);
      const h = await raw.hgetall(`${prefix}agg:iris%2Feu:candidate:3`);
      expect(h).toMatchObject({
        requests: '2',
        errors: '1',
        'f:count': '1',
        'f:ratingSum': '4',
        'f:sqErrorSum': '0.25',
        'l:count': '2',
        'l:zeroCount': '1',
        'l:min': '0',
        'l:max': '12',
        firstSeen: '900',
        lastSeen: '1100',
      });
      expect(Object.keys(h).filter((k) => k.startsWith('b:'))).toHaveLength(1);
      // each batch id is claimed once, and expires
      const ids = await raw.keys(`${prefix}batch:*`);
      expect(ids.length).toBe(1);
      expect(await raw.ttl(ids[0]!)).toBeGreaterThan(0);
    });

    it('flushes on its interval, and at once when maxBatch records wait', async () => {
      const prefix = freshPrefix();
      const s = createRedisOutcomeStore({ url: server.url, prefix, flushIntervalMs: 40 });
      const r = s.recorder({ model: 'm', variant: 'production', modelVersion: 1 });
      r.prediction({ latencyMs: 1 });
      await until(async () => (await raw.hget(`${prefix}agg:m:production:1`, 'requests')) === '1');
      await s.close();
      const p2 = freshPrefix();
      const big = createRedisOutcomeStore({ url: server.url, prefix: p2, flushIntervalMs: 3_600_000, maxBatch: 100 });
      const r2 = big.recorder({ model: 'm', variant: 'production', modelVersion: 1 });
      for (let i = 0; i < 100; i++) r2.prediction({ latencyMs: 1 });
      await until(() => big.stats().batches === 1);
      expect(await raw.hget(`${p2}agg:m:production:1`, 'requests')).toBe('100');
      await big.close();
    });

    it('a batch whose reply was lost is retried and counted once', async () => {
      const prefix = freshPrefix();
      const client = new Redis(server.url);
      let lose = 1;
      const flaky = new Proxy(client, {
        get(target, prop, receiver) {
          if (prop === 'eval')
            return async (...args: unknown[]) => {
              const res = await (target.eval as (...a: unknown[]) => Promise<unknown>)(...args);
              if (lose-- > 0) throw new Error('connection reset (reply lost)');
              return res;
            };
          const v = Reflect.get(target, prop, receiver);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
      const s = createRedisOutcomeStore({ client: flaky, prefix, flushIntervalMs: 3_600_000 });
      const r = s.recorder({ model: 'm', variant: 'production', modelVersion: 1 });
      for (let i = 0; i < 10; i++) r.prediction({ latencyMs: 2 });
      await expect(s.flush()).rejects.toSatisfy((e) => isModelshipError(e, 'RegistryError', 'STORE_FAILURE'));
      expect(s.stats()).toMatchObject({ buffered: 10, failedFlushes: 1 });
      await s.flush();
      expect(s.stats()).toMatchObject({ buffered: 0, flushed: 10, batches: 1 });
      expect((await s.aggregates('m')).variants.production!.requests).toBe(10);
      await s.close();
      client.disconnect();
    });

    it('Redis down: records are buffered within the bound, the rest dropped and counted, nothing thrown; it recovers', async () => {
      const prefix = freshPrefix();
      const warned: string[] = [];
      const noop = () => undefined;
      const logger = {
        debug: noop,
        info: noop,
        error: noop,
        warn: (_o: object, msg?: string) => void warned.push(msg ?? ''),
      };
      const s = createRedisOutcomeStore({
        url: server.url,
        prefix,
        flushIntervalMs: 30,
        flushTimeoutMs: 200,
        maxBuffered: 1000,
        logger,
      });
      const r = s.recorder({ model: 'm', variant: 'production', modelVersion: 1 });
      r.prediction({ latencyMs: 1 });
      await s.flush();
      await server.stop(); // its data goes with it (no persistence): only what follows is counted below
      let t = 0;
      for (let i = 0; i < 1500; i++) {
        const t0 = performance.now();
        r.prediction({ latencyMs: 3 });
        t = Math.max(t, performance.now() - t0);
        if (i % 100 === 0) await sleep(5);
      }
      expect(t).toBeLessThan(50); // the request path never waits for Redis
      await sleep(300); // a few failed flushes
      const st = s.stats();
      expect(st.buffered).toBe(1000);
      expect(st.dropped).toBe(500);
      expect(st.failedFlushes).toBeGreaterThan(0);
      await expect(s.flush()).rejects.toSatisfy((e) => isModelshipError(e, 'RegistryError', 'STORE_FAILURE'));
      // logged once per outage, not once per failed flush
      expect(warned.filter((m) => m.includes('outcome flush to Redis failed'))).toHaveLength(1);
      await server.start(); // same port, empty
      await until(() => s.stats().buffered === 0, 20_000);
      const agg = await s.aggregates('m');
      expect(agg.variants.production!.requests).toBe(1000);
      expect(s.stats().dropped).toBe(500);
      r.prediction({ latencyMs: 3 });
      expect((await s.aggregates('m')).variants.production!.requests).toBe(1001);
      await s.close();
    }, 60_000);

    it('Redis frozen: a flush times out, the batch waits (one command in flight) and lands once', async () => {
      const prefix = freshPrefix();
      const s = createRedisOutcomeStore({ url: server.url, prefix, flushIntervalMs: 20, flushTimeoutMs: 100 });
      const r = s.recorder({ model: 'm', variant: 'production', modelVersion: 1 });
      r.prediction({ latencyMs: 1 });
      await s.flush();
      server.pause();
      try {
        for (let i = 0; i < 300; i++) {
          r.prediction({ latencyMs: 2 });
          if (i % 50 === 0) await sleep(20);
        }
        await sleep(300);
        expect(s.stats().failedFlushes).toBeGreaterThan(0);
        expect(s.stats().buffered).toBe(300);
      } finally {
        server.resume();
      }
      await until(() => s.stats().buffered === 0);
      expect((await s.aggregates('m')).variants.production!.requests).toBe(301);
      await s.close();
    }, 30_000);

    it('after close, records are dropped (counted) and reads refuse with CLOSED', async () => {
      const s = createRedisOutcomeStore({ url: server.url, prefix: freshPrefix() });
      const r = s.recorder({ model: 'm', variant: 'production', modelVersion: 1 });
      await s.close();
      r.prediction({ latencyMs: 1 });
      expect(s.stats().dropped).toBe(1);
      await expect(s.aggregates('m')).rejects.toSatisfy((e) => isModelshipError(e, 'RegistryError', 'CLOSED'));
    });

    it('a bad recorder key throws ValidationError naming the field', () => {
      const s = createRedisOutcomeStore({ url: server.url, prefix: freshPrefix() });
      const err = thrown(() => s.recorder({ model: 'm', variant: '', modelVersion: 1 }));
      expect(isModelshipError(err, 'ValidationError', 'INVALID_INPUT')).toBe(true);
      expect((err as Error).message).toContain('variant');
      const err2 = thrown(() => s.recorder({ model: 'm', variant: 'p', modelVersion: 1.5 }));
      expect((err2 as Error).message).toContain('modelVersion');
      return s.close();
    });
  });
});
