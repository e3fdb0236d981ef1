import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRampSchedule, isModelshipError } from '@modelship/core';
import { murmur3 } from '../src/hash.js';
import { BUCKETS, createTrafficSplitter } from '../src/traffic-splitter.js';
import { createRampSplitter } from '../src/ramp-splitter.js';
import { variantOverride } from '../src/override-header.js';

// Golden vectors computed once with an independent implementation:
// Python `sklearn.utils.murmurhash3_32(s, seed, positive=True)` (which hashes UTF-8 bytes).
const HASH_VECTORS: [string, number, number][] = [
  ['', 0, 142593372],
  ['a', 1009084850, 3001393763],
  ['ab', 2613040991, 3610054215],
  ['abc', 3017643002, 1313807976],
  ['abcd', 1139631978, 3898664396],
  ['hello', 613153351, 3806057185],
  ['Hello, world!', 3224780355, 747406643],
  ['The quick brown fox jumps over the lazy dog', 776992547, 880582914],
  ['user-42', 3111312080, 3126452458],
  ['\u00e9', 269551495, 1023967903],
  ['\u65e5\u672c\u8a9e', 2779017879, 3318144696],
  ['\ud83d\ude00', 3199479546, 1877935379],
  ['ma\u00f1ana-\u00fc-\u20ac', 2879530724, 2465491701],
  ['a\u0000b', 1871496870, 2330916877],
];
// bucket = murmurhash3_32(salt + ":" + unit, seed=0, positive=True) % 10000, same source.
const BUCKET_VECTORS: [string, string, number][] = [
  ['', 'user-1', 4317],
  ['', 'user-2', 126],
  ['', 'user-42', 4191],
  ['', 'session-abc', 8232],
  ['', '\u65e5\u672c', 7576],
  ['', '\ud83d\ude00x', 6862],
  ['', '0', 9130],
  ['', 'a-much-longer-unit-key-with-many-characters-1234567890', 9099],
  ['exp-2026-11', 'user-1', 9119],
  ['exp-2026-11', 'user-2', 709],
  ['exp-2026-11', 'user-42', 430],
  ['exp-2026-11', 'session-abc', 8375],
  ['exp-2026-11', '\u65e5\u672c', 4095],
  ['exp-2026-11', '\ud83d\ude00x', 9153],
  ['exp-2026-11', '0', 582],
  ['exp-2026-11', 'a-much-longer-unit-key-with-many-characters-1234567890', 3490],
  ['house-prices', 'user-1', 8836],
  ['house-prices', 'user-2', 8088],
  ['house-prices', 'user-42', 6187],
  ['house-prices', 'session-abc', 6787],
  ['house-prices', '\u65e5\u672c', 4918],
  ['house-prices', '\ud83d\ude00x', 8859],
  ['house-prices', '0', 5825],
  ['house-prices', 'a-much-longer-unit-key-with-many-characters-1234567890', 8202],
];

const split8020 = (salt = 'exp-2026-11') =>
  createTrafficSplitter({
    variants: [
      { name: 'production', weight: 80 },
      { name: 'candidate', weight: 20 },
    ],
    salt,
  });

describe('murmur3 (x86_32 over UTF-8)', () => {
  it('matches the golden vectors of an independent implementation, seeds 0 and 42', () => {
    for (const [s, h0, h42] of HASH_VECTORS) {
      expect(murmur3(s), JSON.stringify(s)).toBe(h0);
      expect(murmur3(s, 42), JSON.stringify(s)).toBe(h42);
    }
  });

  it('equals the hash of Buffer.from(s, "utf8") for random strings, lone surrogates as U+FFFD', () => {
    // A byte-at-a-time reference over the encoded bytes.
    const reference = (bytes: Uint8Array): number => {
      let h = 0;
      const mix = (k: number) => {
        k = Math.imul(k, 0xcc9e2d51);
        k = (k << 15) | (k >>> 17);
        k = Math.imul(k, 0x1b873593);
        return k;
      };
      let i = 0;
      for (; i + 4 <= bytes.length; i += 4) {
        const k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
        h ^= mix(k);
        h = (h << 13) | (h >>> 19);
        h = (Math.imul(h, 5) + 0xe6546b64) | 0;
      }
      let k = 0;
      for (let j = bytes.length - 1; j >= i; j--) k = (k << 8) | bytes[j]!;
      if (bytes.length > i) h ^= mix(k);
      h ^= bytes.length;
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      return h >>> 0;
    };
    const pool = ['a', 'Z', '0', '-', 'é', 'ß', '€', '日', '😀', '\ud800', '\udc00', '\u0000', '\uffff'];
    let seed = 1;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let t = 0; t < 2000; t++) {
      let s = '';
      const n = Math.floor(rnd() * 20);
      for (let i = 0; i < n; i++) s += pool[Math.floor(rnd() * pool.length)];
      expect(murmur3(s)).toBe(reference(new TextEncoder().encode(s)));
    }
  });
});

describe('TrafficSplitter', () => {
  it('puts units in the buckets of the documented formula (golden vectors, stable across restarts)', () => {
    for (const [salt, unit, bucket] of BUCKET_VECTORS) {
      const s = split8020(salt);
      expect(s.bucket(unit), `${salt}:${unit}`).toBe(bucket);
      expect(s.assign(unit)).toBe(bucket < 8000 ? 'production' : 'candidate');
    }
  });

  it('splits 1,000,000 keyed assignments 80/20 within ±0.2 percentage points', () => {
    const s = split8020();
    let candidate = 0;
    for (let i = 0; i < 1_000_000; i++) if (s.assignIndex(`user-${i}`) === 1) candidate++;
    const pct = (candidate / 1_000_000) * 100;
    expect(Math.abs(pct - 20)).toBeLessThanOrEqual(0.2);
  });

  it('gives the same variant for the same key in another process (built dist)', () => {
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    if (!existsSync(dist))
      throw new Error(
        `${dist} is missing: build first (npm test builds; or npx turbo run build --filter=@modelship/router)`,
      );
    const script = `import { createTrafficSplitter } from ${JSON.stringify(dist)};
const s = createTrafficSplitter({ variants: [{ name: 'production', weight: 80 }, { name: 'candidate', weight: 20 }], salt: 'exp-2026-11' });
const out = []; for (let i = 0; i < 5000; i++) out.push(s.assign('user-' + i) + ':' + s.bucket('user-' + i));
process.stdout.write(JSON.stringify(out));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const theirs = JSON.parse(r.stdout) as string[];
    const s = split8020();
    const mine = Array.from({ length: 5000 }, (_, i) => `${s.assign(`user-${i}`)}:${s.bucket(`user-${i}`)}`);
    expect(theirs).toEqual(mine);
  });

  it('assigns at random (injected source) when no unit is given, and honours an override', () => {
    const values = [0, 0.7999, 0.8, 0.9999];
    let i = 0;
    const s = createTrafficSplitter({
      variants: [
        { name: 'production', weight: 0.8 },
        { name: 'candidate', weight: 0.2 },
      ],
      random: () => values[i++]!,
    });
    expect([s.assign(), s.assign(), s.assign(), s.assign()]).toEqual([
      'production',
      'production',
      'candidate',
      'candidate',
    ]);
    expect(s.assign('user-1', 'candidate')).toBe('candidate');
    expect(s.assign(undefined, 'production')).toBe('production');
    try {
      s.assign('user-1', 'canary');
      expect.unreachable();
    } catch (err) {
      expect(isModelshipError(err, 'RouterError', 'UNKNOWN_VARIANT')).toBe(true);
      expect((err as Error).message).toContain('"canary"');
    }
  });

  it('reads an override from the x-modelship-variant header', () => {
    expect(variantOverride({ 'x-modelship-variant': ' candidate ' })).toBe('candidate');
    expect(variantOverride({ 'x-modelship-variant': ['production', 'candidate'] })).toBe('production');
    expect(variantOverride({ 'x-modelship-variant': '' })).toBeUndefined();
    expect(variantOverride({})).toBeUndefined();
    expect(variantOverride({ 'x-force': 'candidate' }, 'X-Force')).toBe('candidate');
  });

  it('gives each of N variants its share of buckets and rejects bad options naming the field', () => {
    const s = createTrafficSplitter({
      variants: [
        { name: 'a', weight: 1 },
        { name: 'b', weight: 1 },
        { name: 'c', weight: 2 },
      ],
      salt: 'x',
    });
    const counts = [0, 0, 0];
    for (let b = 0; b < BUCKETS; b++) counts[s.variantOfBucket(b)]!++;
    expect(counts).toEqual([2500, 2500, 5000]);
    expect(() => createTrafficSplitter({ variants: [{ name: 'a', weight: -1 }] })).toThrow(
      /variants\[0\]\.weight|variants\.0\.weight/,
    );
    expect(() =>
      createTrafficSplitter({
        variants: [
          { name: 'a', weight: 1 },
          { name: 'a', weight: 1 },
        ],
      }),
    ).toThrow(/duplicate variant "a"/);
    expect(() => createTrafficSplitter({ variants: [{ name: 'a', weight: 0 }] })).toThrow(/must not all be zero/);
    expect(() => createTrafficSplitter({ variants: [{ name: 'a', weight: 1 }], shadow: ['b'] })).toThrow(
      /shadow variant "b"/,
    );
  });

  it('reshuffles units when the salt changes', () => {
    const a = split8020('one');
    const b = split8020('two');
    let same = 0;
    for (let i = 0; i < 10_000; i++) if (a.bucket(`u${i}`) === b.bucket(`u${i}`)) same++;
    expect(same).toBeLessThan(20);
  });
});

describe('ramp', () => {
  it('keeps every unit of the candidate at weight w in it at every larger weight', () => {
    const weights = [0, 1, 5, 10, 12.5, 20, 33, 50, 75, 99, 100];
    for (const candidateFirst of [true, false]) {
      const make = (w: number) =>
        createTrafficSplitter({
          variants: candidateFirst
            ? [
                { name: 'candidate', weight: w },
                { name: 'production', weight: 100 - w },
              ]
            : [
                { name: 'production', weight: 100 - w },
                { name: 'candidate', weight: w },
              ],
          salt: 'ramp-test',
        });
      const splitters = weights.map(make);
      for (let u = 0; u < 20_000; u++) {
        const key = `unit-${u}`;
        let inCandidate = false;
        for (const s of splitters) {
          const now = s.assign(key) === 'candidate';
          if (inCandidate) expect(now, `${key} left the candidate as its weight grew`).toBe(true);
          inCandidate = now;
        }
      }
    }
  });

  it('steps 5 → 10 → 20 → 50 % with monotone membership and the requested shares', () => {
    const ramp = createRampSchedule({ salt: 'exp-9' });
    expect(ramp.steps).toEqual([5, 10, 20, 50]);
    expect(ramp.weightsAt(2)).toEqual({ candidate: 20, production: 80 });
    expect(ramp.next(10)).toBe(20);
    expect(ramp.next(50)).toBeUndefined();
    const splitters = ramp.steps.map((_, i) => createRampSplitter(ramp, i));
    const shares = splitters.map(() => 0);
    for (let u = 0; u < 100_000; u++) {
      let before = false;
      splitters.forEach((s, i) => {
        const c = s.assign(`u${u}`) === 'candidate';
        if (before) expect(c).toBe(true);
        if (c) shares[i]!++;
        before = c;
      });
    }
    shares.forEach((n, i) => {
      expect(Math.abs(n / 1000 - ramp.steps[i]!)).toBeLessThan(0.5);
    });
    expect(() => createRampSchedule({ steps: [10, 5] })).toThrow(/strictly increasing/);
    expect(() => createRampSplitter(ramp, 4)).toThrow(/out of range/);
  });
});
