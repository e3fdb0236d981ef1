import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DataError, ValidationError } from '@modelship/core';
import { createRandom } from '@modelship/core';

/** Row indices of a train/test split, each ascending. */
export interface Split {
  /** Training row indices. */
  readonly train: Int32Array;
  /** Test row indices. */
  readonly test: Int32Array;
}

/** Options of {@link holdoutSplit} and {@link stratifiedSplit}. */
export interface HoldoutOptions {
  /** Fraction of rows in the test set, in (0, 1). */
  testFraction: number;
  /** Seed of the shuffle; the same seed gives the same split. */
  seed: number;
}

/** Options of {@link kFold}. */
export interface KFoldOptions {
  /** Seed of the shuffle; the same seed gives the same folds. */
  seed: number;
  /** Labels (one per row) to stratify on, so each fold keeps the class proportions; default none. */
  stratifyBy?: ArrayLike<number | string>;
}

function checkOptions(options: unknown, op: string): void {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError(
      'INVALID_OPTIONS',
      `${op}: options: expected an object with a seed, got ${options === null ? 'null' : typeof options}`,
      {
        operation: op,
        details: { field: 'options' },
      },
    );
  }
}

function checkLabels(labels: unknown, op: string, field: string): void {
  if (!Array.isArray(labels) && !ArrayBuffer.isView(labels)) {
    throw new ValidationError(
      'INVALID_OPTIONS',
      `${op}: ${field}: expected an array of labels (one per row), got ${labels === null ? 'null' : typeof labels}`,
      {
        operation: op,
        details: { field },
      },
    );
  }
}

function checkFraction(testFraction: number, op: string): void {
  if (typeof testFraction !== 'number' || !(testFraction > 0 && testFraction < 1)) {
    throw new ValidationError(
      'INVALID_OPTIONS',
      `${op}: testFraction: expected a number in (0, 1), got ${String(testFraction)}`,
      {
        operation: op,
        details: { field: 'testFraction' },
      },
    );
  }
}

function checkCount(n: number, op: string, field = 'n'): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new ValidationError('INVALID_OPTIONS', `${op}: ${field}: expected a non-negative integer, got ${String(n)}`, {
      operation: op,
      details: { field },
    });
  }
}

function sorted(values: number[]): Int32Array {
  return Int32Array.from(values).sort();
}

function permutation(n: number, seed: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return createRandom(seed).shuffle(p);
}

/**
 * A seeded random holdout split of `n` rows: `ceil(n × testFraction)` rows go to the test set.
 *
 * @example
 * ```ts
 * const { train, test } = holdoutSplit(table.numRows, { testFraction: 0.2, seed: 42 });
 * ```
 */
export function holdoutSplit(n: number, options: HoldoutOptions): Split {
  checkCount(n, 'holdoutSplit');
  checkOptions(options, 'holdoutSplit');
  checkFraction(options.testFraction, 'holdoutSplit');
  const p = permutation(n, options.seed);
  const k = Math.ceil(n * options.testFraction);
  return { train: p.slice(k).sort(), test: p.slice(0, k).sort() };
}

function groupByLabel(labels: ArrayLike<number | string>): number[][] {
  const groups = new Map<number | string, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    let g = groups.get(l);
    if (!g) groups.set(l, (g = []));
    g.push(i);
  }
  return [...groups.keys()]
    .sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0))
    .map((k) => groups.get(k)!);
}

/**
 * A seeded holdout split that keeps each label's proportion: per label, `round(count × testFraction)`
 * of its rows go to the test set.
 *
 * @example
 * ```ts
 * const { train, test } = stratifiedSplit(speciesCodes, { testFraction: 0.2, seed: 42 });
 * ```
 */
export function stratifiedSplit(labels: ArrayLike<number | string>, options: HoldoutOptions): Split {
  checkLabels(labels, 'stratifiedSplit', 'labels');
  checkOptions(options, 'stratifiedSplit');
  checkFraction(options.testFraction, 'stratifiedSplit');
  const rng = createRandom(options.seed);
  const train: number[] = [];
  const test: number[] = [];
  for (const g of groupByLabel(labels)) {
    rng.shuffle(g);
    const k = Math.round(g.length * options.testFraction);
    for (let i = 0; i < g.length; i++) (i < k ? test : train).push(g[i]!);
  }
  return { train: sorted(train), test: sorted(test) };
}

/**
 * Seeded k-fold cross-validation: every row is in exactly one fold's test set. With
 * `stratifyBy`, rows of each label are dealt round-robin across folds.
 *
 * @example
 * ```ts
 * for (const { train, test } of kFold(table.numRows, 5, { seed: 1 })) {
 *   const [trainRows, testRows] = [table.select(train), table.select(test)]; // fit on trainRows, score on testRows
 * }
 * ```
 */
export function kFold(n: number, k: number, options: KFoldOptions): Split[] {
  checkCount(n, 'kFold');
  checkOptions(options, 'kFold');
  if (!Number.isInteger(k) || k < 2 || k > n) {
    throw new ValidationError('INVALID_OPTIONS', `kFold: k: expected an integer in [2, ${n}], got ${String(k)}`, {
      operation: 'kFold',
      details: { field: 'k' },
    });
  }
  const folds: number[][] = Array.from({ length: k }, () => []);
  if (options.stratifyBy) {
    checkLabels(options.stratifyBy, 'kFold', 'stratifyBy');
    if (options.stratifyBy.length !== n) {
      throw new ValidationError(
        'INVALID_OPTIONS',
        `kFold: stratifyBy: expected ${n} labels, got ${options.stratifyBy.length}`,
        {
          operation: 'kFold',
          details: { field: 'stratifyBy' },
        },
      );
    }
    const rng = createRandom(options.seed);
    let f = 0;
    for (const g of groupByLabel(options.stratifyBy)) {
      rng.shuffle(g);
      for (const i of g) folds[f++ % k]!.push(i);
    }
  } else {
    const p = permutation(n, options.seed);
    for (let i = 0; i < n; i++) folds[i % k]!.push(p[i]!);
  }
  return folds.map((testRows, fi) => {
    const train: number[] = [];
    folds.forEach((other, j) => {
      if (j !== fi) for (const i of other) train.push(i);
    });
    return { train: sorted(train), test: sorted(testRows) };
  });
}

const splitFileZ = z.strictObject({
  train: z.array(z.number().int().nonnegative()),
  test: z.array(z.number().int().nonnegative()),
});

/**
 * Validates split data `{ train: number[], test: number[] }`: integer indices, in `0…n-1` when
 * `n` is given, no index in both sets or twice in one. Throws DataError `BAD_VALUE` when not.
 */
export function parseSplit(data: unknown, options: { n?: number; source?: string } = {}): Split {
  const source = options.source ?? 'split';
  const res = splitFileZ.safeParse(data);
  if (!res.success) {
    throw new DataError(
      'BAD_VALUE',
      `${source}: expected {"train": [indices], "test": [indices]}\n${z.prettifyError(res.error)}`,
      {
        operation: 'readSplitFile',
        details: { source },
        cause: res.error,
      },
    );
  }
  const seen = new Set<number>();
  for (const part of ['train', 'test'] as const) {
    res.data[part].forEach((i, pos) => {
      if (options.n !== undefined && i >= options.n) {
        throw new DataError(
          'BAD_VALUE',
          `${source}: ${part}[${pos}] = ${i} is out of range (expected 0…${options.n - 1})`,
          {
            operation: 'readSplitFile',
            details: { source, part, position: pos, index: i },
          },
        );
      }
      if (seen.has(i)) {
        throw new DataError(
          'BAD_VALUE',
          `${source}: ${part}[${pos}] = ${i} appears twice (train and test must not overlap)`,
          {
            operation: 'readSplitFile',
            details: { source, part, position: pos, index: i },
          },
        );
      }
      seen.add(i);
    });
  }
  return { train: sorted(res.data.train), test: sorted(res.data.test) };
}

/**
 * Reads an explicit split file `{"train": [...], "test": [...]}` (e.g. the shared
 * `splits/*.json`) and validates it (see {@link parseSplit}). Throws DataError `NOT_FOUND`
 * or `BAD_VALUE`.
 *
 * @example
 * ```ts
 * const { train, test } = readSplitFile('splits/iris.json', { n: 150 });
 * ```
 */
export function readSplitFile(path: string, options: { n?: number } = {}): Split {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const notFound = (err as NodeJS.ErrnoException).code !== undefined;
    throw new DataError(
      notFound ? 'NOT_FOUND' : 'BAD_VALUE',
      `readSplitFile: cannot read '${path}': ${(err as Error).message}`,
      {
        operation: 'readSplitFile',
        details: { path },
        cause: err,
      },
    );
  }
  return parseSplit(data, { ...options, source: path });
}
