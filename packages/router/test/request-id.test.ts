import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isModelshipError } from '@modelship/core';
import { createRequestIdCodec } from '../src/request-id.js';

const KEY = 'a-test-key-of-32-bytes-0123456789';

function expectCode(fn: () => unknown, code: string, message?: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(isModelshipError(err, 'RouterError', code), String(err)).toBe(true);
    if (message) expect((err as Error).message).toMatch(message);
    return;
  }
  expect.unreachable(`expected RouterError ${code}`);
}

describe('RequestIdCodec', () => {
  let now = 1_800_000_000_000;
  const codec = createRequestIdCodec({ key: KEY, model: 'house-prices', maxAgeMs: 60_000, clock: () => now });
  const sign = (prediction?: unknown) => {
    const [hi, lo] = codec.nonce();
    return codec.sign({ time: now, variant: 'candidate', modelVersion: 7, nonceHi: hi, nonceLo: lo, prediction });
  };

  it('round-trips its claims (variant, version, time, nonce, prediction) through a base64url id', () => {
    const id = sign(412.25);
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    const claims = codec.verify(id);
    expect(claims).toMatchObject({ time: now, variant: 'candidate', modelVersion: 7, prediction: 412.25 });
    expect(claims.nonce).toMatch(/^[0-9a-f]{16}$/);
    expect(codec.verify(sign('Iris-setosa')).prediction).toBe('Iris-setosa');
    expect(codec.verify(sign({ not: 'kept' })).prediction).toBeUndefined();
    expect(sign(1)).not.toBe(sign(1)); // the nonce makes every id unique
  });

  it('rejects every single-character alteration, ids of another key or model, and garbage', () => {
    const id = sign(3);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < id.length; i++) {
      const c = id[i]!;
      const other = alphabet[(alphabet.indexOf(c) + 1 + (i % 60)) % 64]!;
      const altered = id.slice(0, i) + other + id.slice(i + 1);
      if (altered === id) continue;
      // The last character may carry unused padding bits; decoding may map it back to the same bytes.
      if (Buffer.from(altered, 'base64url').equals(Buffer.from(id, 'base64url'))) continue;
      expectCode(() => codec.verify(altered), 'INVALID_REQUEST_ID');
    }
    const other = createRequestIdCodec({
      key: 'another-key-of-enough-length!!',
      model: 'house-prices',
      clock: () => now,
    });
    const [hi, lo] = other.nonce();
    const forged = other.sign({ time: now, variant: 'candidate', modelVersion: 7, nonceHi: hi, nonceLo: lo });
    expectCode(() => codec.verify(forged), 'INVALID_REQUEST_ID', /signature does not match/);
    const otherModel = createRequestIdCodec({ key: KEY, model: 'iris', clock: () => now });
    expectCode(() => otherModel.verify(id), 'INVALID_REQUEST_ID', /signature/);
    expectCode(() => codec.verify('not-a-request-id'), 'INVALID_REQUEST_ID', /too short/);
    expectCode(() => codec.verify('bad id with spaces'), 'INVALID_REQUEST_ID', /base64url/);
    expectCode(() => codec.verify(''), 'INVALID_REQUEST_ID');
  });

  it('rejects ids older than maxAgeMs as expired, and ids from the future', () => {
    const id = sign();
    now += 60_001;
    expectCode(() => codec.verify(id), 'EXPIRED_REQUEST_ID', /expired request id/);
    const future = sign();
    now -= 10 * 60_000;
    expectCode(() => codec.verify(future), 'INVALID_REQUEST_ID', /future/);
    now += 10 * 60_000;
  });

  it('follows the documented format exactly (independent construction with node:crypto)', () => {
    const c = createRequestIdCodec({ key: KEY, model: 'house-prices', clock: () => now });
    const id = c.sign({
      time: 1_800_000_000_123,
      variant: 'candidate',
      modelVersion: 7,
      nonceHi: 0x01020304,
      nonceLo: 0xa0b0c0d0,
      prediction: 412.25,
    });
    const payload = Buffer.alloc(20 + 9 + 9);
    payload[0] = 1;
    payload.writeUIntBE(1_800_000_000_123, 1, 6);
    payload.writeUInt32BE(0x01020304, 7);
    payload.writeUInt32BE(0xa0b0c0d0, 11);
    payload.writeUInt32BE(7, 15);
    payload[19] = 9;
    payload.write('candidate', 20, 'utf8');
    payload[29] = 1;
    payload.writeDoubleBE(412.25, 30);
    const tag = createHmac('sha256', KEY).update('house-prices\u0000').update(payload).digest().subarray(0, 16);
    expect(id).toBe(Buffer.concat([payload, tag]).toString('base64url'));
    const label = c.sign({
      time: 5,
      variant: 'production',
      modelVersion: 1,
      nonceHi: 0,
      nonceLo: 0,
      prediction: 'setosa',
    });
    const p2 = Buffer.concat([
      Buffer.from([1, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 10]),
      Buffer.from('production'),
      Buffer.from([2, 6]),
      Buffer.from('setosa'),
    ]);
    const t2 = createHmac('sha256', KEY).update('house-prices\u0000').update(p2).digest().subarray(0, 16);
    expect(label).toBe(Buffer.concat([p2, t2]).toString('base64url'));
  });

  it('refuses a short key', () => {
    expect(() => createRequestIdCodec({ key: 'short', model: 'm' })).toThrow(/at least 16 bytes/);
  });
});
