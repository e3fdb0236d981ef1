import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isModelshipError, mulberry32 } from '@modelship/core';
import { HmacSha256 } from '../src/hmac-sha256.js';
import { createPredictionLog, type PredictionRecord, type PredictionSink } from '../src/prediction-log.js';
import { createRequestIdCodec } from '../src/request-id.js';
import { createCallbackSink, createJsonLinesSink } from '../src/sinks.js';
import { createTrafficSplitter } from '../src/traffic-splitter.js';
import { createModelRouter } from '../src/model-router.js';
import { HMAC_KEY, fakeLoader, loadFailureLogger, registryWith } from './helpers.js';

const rec = (i: number): PredictionRecord => ({
  requestId: `id-${i}`,
  time: i,
  model: 'm',
  variant: 'production',
  modelVersion: 1,
  latencyMs: 0.1,
  prediction: i,
  input: { x: i },
});

describe('HmacSha256 against node:crypto on random keys and messages', () => {
  it('is bit-identical for 2,000 random (key, prefix, message) triples, keys of 0–300 bytes and empty messages included', () => {
    const rand = mulberry32(7);
    const len = (max: number): number => Math.floor(rand() * (max + 1));
    for (let t = 0; t < 2000; t++) {
      const key = randomBytes(t % 50 === 0 ? 64 + len(500) : len(300)); // long keys (> 64 bytes) are hashed first
      const prefix = randomBytes(t % 3 === 0 ? 0 : len(80));
      const msg = randomBytes(t % 7 === 0 ? 0 : len(400));
      const out = new Uint8Array(32);
      new HmacSha256(key).mac(prefix, msg, msg.length, out, 0);
      const expected = createHmac('sha256', key).update(prefix).update(msg).digest();
      if (!Buffer.from(out).equals(expected))
        expect.unreachable(`key ${key.length} B, prefix ${prefix.length} B, message ${msg.length} B`);
    }
    // One instance reused across messages keeps no state between MACs.
    const key = randomBytes(100);
    const mac = new HmacSha256(key);
    for (const n of [300, 0, 55, 56, 64, 0]) {
      const msg = randomBytes(n);
      const out = new Uint8Array(32);
      mac.mac(new Uint8Array(0), msg, n, out, 0);
      expect(Buffer.from(out).equals(createHmac('sha256', key).update(msg).digest()), `reused, message ${n}`).toBe(
        true,
      );
    }
  });
});

describe('request ids at the limits of the format', () => {
  it('verifies the longest id the codec signs (64-byte variant, 64-byte label)', () => {
    const c = createRequestIdCodec({ key: 'k'.repeat(32), model: 'm' });
    const [hi, lo] = c.nonce();
    const id = c.sign({
      time: Date.now(),
      variant: 'v'.repeat(64),
      modelVersion: 3,
      nonceHi: hi,
      nonceLo: lo,
      prediction: 'é'.repeat(32),
    });
    expect(c.verify(id)).toMatchObject({ variant: 'v'.repeat(64), modelVersion: 3, prediction: 'é'.repeat(32) });
  });

  it('rejects bad codec options naming the field', () => {
    const check = (opts: Record<string, unknown>, field: string): void => {
      try {
        createRequestIdCodec({ key: 'k'.repeat(32), model: 'm', ...opts } as never);
      } catch (err) {
        expect(isModelshipError(err, 'RouterError', 'INVALID_OPTIONS')).toBe(true);
        expect((err as Error).message).toContain(field);
        return;
      }
      expect.unreachable(`expected an error naming ${field}`);
    };
    check({ maxAgeMs: Number.NaN }, 'maxAgeMs');
    check({ maxAgeMs: -1 }, 'maxAgeMs');
    check({ maxClockSkewMs: -5 }, 'maxClockSkewMs');
    check({ model: '' }, 'model');
    check({ clock: 42 }, 'clock');
  });
});

describe('sink failures never break the log', () => {
  it('a JSON-lines sink whose directory disappears fails those batches only, and writes again once it is back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'router-sink-'));
    const sub = join(dir, 'logs');
    const path = join(sub, 'p.jsonl');
    const errors: unknown[] = [];
    const logger = { error: (o: unknown) => errors.push(o), warn() {}, info() {}, debug() {}, child: () => logger };
    const log = createPredictionLog({ capacity: 0, sinks: [createJsonLinesSink({ path })], logger: logger as never });
    try {
      log.record(rec(0)); // the directory does not exist yet: the open fails
      await log.flush();
      expect(log.failed).toBe(1);
      mkdirSync(sub);
      log.record(rec(1));
      log.record(rec(2));
      await log.flush();
      expect(existsSync(path)).toBe(true);
      expect(
        readFileSync(path, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).requestId),
      ).toEqual(['id-1', 'id-2']);
      expect(log.failed).toBe(1);
      await expect(log.close()).resolves.toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a sink whose flush or close throws is logged and counted; flush() and close() still resolve', async () => {
    const errors: unknown[] = [];
    const logger = { error: (o: unknown) => errors.push(o), warn() {}, info() {}, debug() {}, child: () => logger };
    const written: number[] = [];
    const bad: PredictionSink = {
      write: (b) => void written.push(b.length),
      flush: () => Promise.reject(new Error('disk gone')),
      close: () => {
        throw new Error('close failed');
      },
    };
    const log = createPredictionLog({ capacity: 0, sinks: [bad], logger: logger as never });
    log.record(rec(1));
    await expect(log.flush()).resolves.toBeUndefined();
    await expect(log.close()).resolves.toBeUndefined();
    expect(written).toEqual([1]);
    expect(log.sinkErrors).toBe(3); // flush, then flush + close inside close()
    expect(errors).toHaveLength(3);
  });
});

describe('unit keys', () => {
  it('refuses a unit key that is not a string (a number would hash like "" and land every such unit in one variant)', async () => {
    const splitter = createTrafficSplitter({
      variants: [
        { name: 'a', weight: 0.5 },
        { name: 'b', weight: 0.5 },
      ],
      salt: 's',
    });
    for (const unit of [42, null, {}]) {
      expect(() => splitter.assign(unit as never)).toThrow(/unit: expected a string key/);
      expect(() => splitter.bucket(unit as never)).toThrow(/unit: expected a string key/);
    }
    const registry = await registryWith('m', [{ kind: 'linear', factor: 1 }]);
    await registry.setRollout('m', { production: 1, weights: { production: 1 }, mode: 'split', salt: 's' });
    const router = createModelRouter({ registry, model: 'm', hmacKey: HMAC_KEY, loadModel: fakeLoader });
    await router.ready();
    try {
      router.predict({ x: 1 }, { unit: 7 as never });
      expect.unreachable('expected an error naming unit');
    } catch (err) {
      expect(isModelshipError(err, 'RouterError', 'INVALID_OPTIONS')).toBe(true);
      expect((err as Error).message).toMatch(/^unit: /);
    }
    expect(router.predict({ x: 1 }, { unit: '7' })).toMatchObject({ prediction: 1 });
    await router.close();
  });
});

describe('close()', () => {
  it('releases every timer and watcher it started (no open handles left), even after a failed load scheduled a retry', async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const registry = await registryWith('m', [
      { kind: 'linear', factor: 1 },
      { kind: 'linear', factor: 2 },
    ]);
    await registry.setRollout('m', { production: 1, weights: { production: 1 }, mode: 'split', salt: 's' });
    await new Promise((r) => setImmediate(r));
    const before = timers();
    const loadModel = (bytes: Uint8Array, info: { version: number }) => {
      if (info.version === 2) throw new Error('corrupt artifact');
      return fakeLoader(bytes);
    };
    const { logger, loadFailed } = loadFailureLogger();
    const router = createModelRouter({
      registry,
      model: 'm',
      hmacKey: HMAC_KEY,
      loadModel,
      pollIntervalMs: 50,
      logger,
    });
    await router.ready();
    await registry.setRollout('m', { production: 2, weights: { production: 1 }, mode: 'split', salt: 's' });
    await loadFailed; // a retry timer is now pending
    await router.close();
    await new Promise((r) => setImmediate(r));
    expect(timers()).toBeLessThanOrEqual(before);
  });
});

describe('bad input at the sink factories and predictBatch', () => {
  it('throws INVALID_OPTIONS naming the field', async () => {
    expect(() => createJsonLinesSink({} as never)).toThrow(/path: expected a non-empty file path/);
    expect(() => createJsonLinesSink(undefined as never)).toThrow(/path/);
    expect(() => createCallbackSink('nope' as never)).toThrow(/fn: expected a function/);
    const registry = await registryWith('m', [{ kind: 'linear', factor: 1 }]);
    await registry.setRollout('m', { production: 1, weights: { production: 1 }, mode: 'split', salt: 's' });
    const router = createModelRouter({ registry, model: 'm', hmacKey: HMAC_KEY, loadModel: fakeLoader });
    await router.ready();
    expect(() => router.predictBatch([{ x: 1 }], null as never)).toThrow(/options: expected an object/);
    expect(() => router.predictBatch([{ x: 1 }], { units: 'u1' as never })).toThrow(/units: expected an array/);
    expect(
      router.predictBatch<number>([{ x: 1 }, { x: 2 }], { units: ['a', undefined] }).map((r) => r.prediction),
    ).toEqual([1, 2]);
    await router.close();
  });
});

describe('prediction log memory bound', () => {
  it('bounds records held for a stalled sink (queued plus being written) by maxPending, and delivers them once it recovers', async () => {
    let release!: () => void;
    const stalled = new Promise<void>((r) => (release = r));
    const delivered: number[] = [];
    const sink: PredictionSink = {
      write: async (b) => {
        await stalled;
        delivered.push(b.length);
      },
    };
    const log = createPredictionLog({ capacity: 0, sinks: [sink], maxPending: 100 });
    for (let turn = 0; turn < 10; turn++) {
      for (let i = 0; i < 50; i++) log.record(rec(turn * 50 + i));
      await new Promise((r) => setImmediate(r)); // each turn dispatches a batch to the stalled sink
    }
    expect(log.dropped).toBe(400);
    release();
    await log.flush();
    expect(delivered.reduce((a, b) => a + b, 0)).toBe(100);
    log.record(rec(1000)); // room again once written
    await log.flush();
    expect(log.dropped).toBe(400);
    expect(delivered.reduce((a, b) => a + b, 0)).toBe(101);
  });
});

describe('non-finite answers inside arrays', () => {
  it('falls back to production when the candidate answers a plain array holding NaN', async () => {
    const registry = await registryWith('m', [
      { kind: 'linear', factor: 1 },
      { kind: 'linear', factor: 2 },
    ]);
    await registry.setRollout('m', {
      production: 1,
      candidate: 2,
      weights: { production: 0, candidate: 1 },
      mode: 'split',
      salt: 's',
    });
    const loadModel = (bytes: Uint8Array, info: { version: number }) => {
      const m = fakeLoader(bytes);
      return info.version === 2
        ? { predict: (input: unknown) => [m.predict(input), Number.NaN] }
        : { predict: (input: unknown) => [m.predict(input), 0] };
    };
    const router = createModelRouter({ registry, model: 'm', hmacKey: HMAC_KEY, loadModel });
    await router.ready();
    expect(router.predict({ x: 3 })).toMatchObject({
      variant: 'production',
      prediction: [3, 0],
      fallback: { reason: 'non_finite' },
    });
    await router.close();
  });
});
