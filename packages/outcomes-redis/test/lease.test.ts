import { createRegistry, isModelshipError, MemoryStore } from '@modelship/core';
import { createController, type ControllerEvent } from '@modelship/controller';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisLease, type RedisLeaseOptions } from '../src/index.js';
import { freshPrefix, withRedis } from './redis.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('createRedisLease options', () => {
  const url = 'redis://127.0.0.1:1';
  const cases: Array<[string, Record<string, unknown>]> = [
    ['id', { url }],
    ['id', { url, id: '' }],
    ['client', { id: 'a' }],
    ['url', { id: 'a', url: 'tcp://x' }],
    ['durationMs', { url, id: 'a', durationMs: 1 }],
    ['checkMs', { url, id: 'a', durationMs: 1000, checkMs: 1000 }],
    ['name', { url, id: 'a', name: 'a b' }],
    ['epochFloor', { url, id: 'a', epochFloor: -1 }],
    ['clock', { url, id: 'a', clock: 5 }],
  ];
  for (const [field, o] of cases) {
    it(`a bad ${field} throws ValidationError INVALID_OPTIONS naming it`, () => {
      let err: unknown;
      try {
        createRedisLease(o as unknown as RedisLeaseOptions);
      } catch (e) {
        err = e;
      }
      expect(isModelshipError(err, 'ValidationError', 'INVALID_OPTIONS')).toBe(true);
      expect((err as Error).message).toContain(`${field}:`);
    });
  }
});

withRedis('lease', (server) => {
  describe('RedisLease on redis-server', () => {
    beforeAll(() => server.start(), 30_000);
    afterAll(() => server.destroy());
    const leases: Array<{ close(): Promise<void> }> = [];
    afterAll(async () => {
      for (const l of leases) await l.close();
    });
    const lease = (o: Omit<RedisLeaseOptions, 'url'>) => {
      const l = createRedisLease({ url: server.url, ...o });
      leases.push(l);
      return l;
    };

    it('one leader; the other sees it; renewals keep the epoch; the holder steps down by its own clock', async () => {
      const prefix = freshPrefix();
      let now = 1_000_000;
      const a = lease({ id: 'a', prefix, durationMs: 10_000, clock: () => now });
      const b = lease({ id: 'b', prefix, durationMs: 10_000, clock: () => now });
      expect(await a.tryAcquire()).toEqual({ leader: true, epoch: 1, holder: 'a', acquired: true });
      expect(await b.tryAcquire()).toEqual({ leader: false, epoch: 1, holder: 'a', acquired: false });
      expect(await a.tryAcquire()).toEqual({ leader: true, epoch: 1, holder: 'a', acquired: false });
      expect(a.heldEpoch()).toBe(1);
      expect(b.heldEpoch()).toBeUndefined();
      now += 7_001; // 70 % of the lease without a renewal: a no longer counts itself leader
      expect(a.heldEpoch()).toBeUndefined();
      expect(await a.tryAcquire()).toMatchObject({ leader: true, epoch: 1, acquired: false }); // Redis still has it
    });

    it('takes over after expiry under a higher epoch; the deposed leader’s renewal fails', async () => {
      const prefix = freshPrefix();
      const a = lease({ id: 'a', prefix, durationMs: 300 });
      const b = lease({ id: 'b', prefix, durationMs: 300 });
      expect((await a.tryAcquire()).epoch).toBe(1);
      expect((await b.tryAcquire()).leader).toBe(false);
      await sleep(400); // a stalls past its lease: Redis expires the key
      expect(await b.tryAcquire()).toEqual({ leader: true, epoch: 2, holder: 'b', acquired: true });
      expect(await a.tryAcquire()).toEqual({ leader: false, epoch: 2, holder: 'b', acquired: false });
      expect(a.heldEpoch()).toBeUndefined();
      // a released lease is free at once, under the next epoch
      await a.release(); // not the holder: a no-op
      await b.release();
      expect(await a.tryAcquire()).toEqual({ leader: true, epoch: 3, holder: 'a', acquired: true });
    });

    it('a holder that dropped its lease (after a FENCED write) re-acquires it only under a new epoch', async () => {
      const prefix = freshPrefix();
      const a = lease({ id: 'a', prefix, durationMs: 300 });
      await a.tryAcquire();
      a.drop();
      // the key is ours from "a previous run" (same id, no epoch held): taken over under a new epoch
      expect(await a.tryAcquire()).toMatchObject({ leader: true, epoch: 2, acquired: true });
    });

    it('epochFloor: the first epoch is above the fences written under the registry lease', async () => {
      const a = lease({ id: 'a', prefix: freshPrefix(), durationMs: 1000, epochFloor: 41 });
      expect((await a.tryAcquire()).epoch).toBe(42);
    });

    it('two controllers: one leader, takeover after expiry with a higher epoch, the deposed one steps down', async () => {
      const prefix = freshPrefix();
      const registry = createRegistry({ store: new MemoryStore() });
      const events: Record<string, ControllerEvent[]> = { a: [], b: [] };
      const make = (id: string) => {
        const c = createController({
          registry,
          models: {},
          lease: lease({ id, prefix, durationMs: 400, checkMs: 80 }),
          intervalMs: 60_000,
        });
        c.on('event', (e) => events[id]!.push(e));
        return c;
      };
      const a = make('a');
      const b = make('b');
      expect(a.id).toBe('a');
      await a.tick();
      await b.tick();
      expect([a.isLeader, b.isLeader]).toEqual([true, false]);
      await sleep(500); // a stops renewing (no ticks, not started)
      await b.tick();
      expect([a.isLeader, b.isLeader]).toEqual([false, true]);
      await a.tick();
      expect([a.isLeader, b.isLeader]).toEqual([false, true]);
      const epochs = (id: string, type: string) =>
        events[id]!.filter((e) => e.type === type).map((e) => (e as { data?: { epoch?: number } }).data?.epoch);
      expect(epochs('a', 'lease.acquired')).toEqual([1]);
      expect(epochs('b', 'lease.acquired')).toEqual([2]);
      expect(events.a!.map((e) => e.type)).toContain('lease.lost');
      await b.close(); // releases: a takes over at once
      await a.tick();
      expect(a.isLeader).toBe(true);
      expect(epochs('a', 'lease.acquired')).toEqual([1, 3]);
      await a.close();
    });

    it('createController refuses a lease whose id differs from its id', () => {
      const registry = createRegistry({ store: new MemoryStore() });
      let err: unknown;
      try {
        createController({ registry, models: {}, id: 'x', lease: lease({ id: 'y', prefix: freshPrefix() }) });
      } catch (e) {
        err = e;
      }
      expect(isModelshipError(err, 'ControllerError', 'INVALID_OPTIONS')).toBe(true);
      expect((err as Error).message).toContain('lease');
    });
  });
});
