import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isModelshipError } from '@modelship/core';
import { createRandom } from '@modelship/core';
import { holdoutSplit, kFold, readSplitFile, stratifiedSplit } from '../src/data/split.js';
import { requireDataDir } from '../../../test-support/data-dir.js';

describe('createRandom', () => {
  it('is deterministic per seed and uniform-ish in [0, 1)', () => {
    const a = createRandom(7);
    const b = createRandom(7);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(Array.from({ length: 1000 }, () => b.next())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
    expect(createRandom(8).next()).not.toBe(xs[0]);
  });
});

function expectPartition(parts: { train: Int32Array; test: Int32Array }, n: number): void {
  const all = [...parts.train, ...parts.test].sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
}

describe('splits', () => {
  it('holdoutSplit is seeded, disjoint and takes ceil(n × testFraction) test rows', () => {
    const s = holdoutSplit(101, { testFraction: 0.2, seed: 42 });
    expect(s.test.length).toBe(21);
    expectPartition(s, 101);
    expect(holdoutSplit(101, { testFraction: 0.2, seed: 42 })).toEqual(s);
    expect(holdoutSplit(101, { testFraction: 0.2, seed: 43 }).test).not.toEqual(s.test);
    expect(() => holdoutSplit(10, { testFraction: 1.5, seed: 1 })).toThrow(
      /testFraction: expected a number in \(0, 1\)/,
    );
  });

  it('stratifiedSplit keeps class proportions', () => {
    const labels = [...Array(60).fill('a'), ...Array(30).fill('b'), ...Array(10).fill('c')];
    const s = stratifiedSplit(labels, { testFraction: 0.2, seed: 1 });
    expectPartition(s, 100);
    const count = (l: string) => Array.from(s.test).filter((i) => labels[i] === l).length;
    expect([count('a'), count('b'), count('c')]).toEqual([12, 6, 2]);
    expect(stratifiedSplit(labels, { testFraction: 0.2, seed: 1 })).toEqual(s);
  });

  it('kFold puts every row in exactly one test fold, stratified or not', () => {
    const folds = kFold(23, 5, { seed: 3 });
    expect(folds).toHaveLength(5);
    const tests = folds.flatMap((f) => [...f.test]).sort((a, b) => a - b);
    expect(tests).toEqual(Array.from({ length: 23 }, (_, i) => i));
    for (const f of folds) expectPartition(f, 23);
    expect(folds.map((f) => f.test.length).sort()).toEqual([4, 4, 5, 5, 5]);
    const labels = Array.from({ length: 30 }, (_, i) => (i < 20 ? 0 : 1));
    const strat = kFold(30, 5, { seed: 3, stratifyBy: labels });
    for (const f of strat) expect(Array.from(f.test).filter((i) => labels[i] === 1).length).toBe(2);
    expect(strat.flatMap((f) => [...f.test]).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(() => kFold(3, 5, { seed: 1 })).toThrow(/k: expected an integer in \[2, 3\]/);
  });

  it('readSplitFile reads the shared split files', () => {
    const dir = requireDataDir();
    const cal = readSplitFile(join(dir, 'splits', 'california_housing.json'), { n: 20640 });
    expect([cal.train.length, cal.test.length]).toEqual([16512, 4128]);
    expectPartition(cal, 20640);
    const iris = readSplitFile(join(dir, 'splits', 'iris.json'), { n: 150 });
    expect([iris.train.length, iris.test.length]).toEqual([120, 30]);
    const bang = readSplitFile(join(dir, 'splits', 'bengaluru_house_data.json'), { n: 13320 });
    expect([bang.train.length, bang.test.length]).toEqual([8190, 2048]);
  });

  it('readSplitFile rejects non-integers, out-of-range indices and overlaps', () => {
    const dir = mkdtempSync(join(tmpdir(), 'split-'));
    const write = (name: string, data: unknown) => {
      const p = join(dir, name);
      writeFileSync(p, JSON.stringify(data));
      return p;
    };
    const bad = (p: string, opts?: { n?: number }) => {
      try {
        readSplitFile(p, opts);
      } catch (e) {
        expect(isModelshipError(e, 'DataError')).toBe(true);
        return (e as Error).message;
      }
      throw new Error('expected a throw');
    };
    expect(bad(write('a.json', { train: [0, 1.5], test: [2] }))).toMatch(/train/);
    expect(bad(write('b.json', { train: [0, 1], test: [5] }), { n: 5 })).toMatch(
      /test\[0\] = 5 is out of range \(expected 0…4\)/,
    );
    expect(bad(write('c.json', { train: [0, 1], test: [1] }))).toMatch(/test\[0\] = 1 appears twice/);
    expect(bad(join(dir, 'missing.json'))).toMatch(/cannot read/);
  });
});
