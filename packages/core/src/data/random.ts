import { ValidationError } from '../errors.js';

/** A seeded source of uniform random numbers (mulberry32): the same seed gives the same sequence. */
export interface Random {
  /** The seed it was created with. */
  readonly seed: number;
  /** A uniform number in [0, 1). */
  next(): number;
  /** A uniform integer in [0, `maxExclusive`). */
  int(maxExclusive: number): number;
  /** Shuffles `values` in place (Fisher–Yates) and returns it. */
  shuffle<A extends unknown[] | Int32Array | Uint32Array | Float64Array>(values: A): A;
  /** A new independent generator derived from this one's next output. */
  fork(): Random;
}

function checkSeed(seed: number, operation: string): void {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new ValidationError('INVALID_OPTIONS', `${operation}: seed: expected a finite number, got ${String(seed)}`, {
      operation,
      details: { field: 'seed' },
    });
  }
}

/**
 * The bare mulberry32 generator: a function returning uniform floats in [0, 1), seeded with the
 * 32-bit value `seed >>> 0`. {@link createRandom} wraps it with helpers.
 *
 * @example
 * ```ts
 * const next = mulberry32(5);
 * next(); // same value on every run
 * ```
 */
export function mulberry32(seed: number): () => number {
  checkSeed(seed, 'mulberry32');
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Creates a small, fast, seeded PRNG (mulberry32, 32-bit state). Not for cryptography; for
 * reproducible splits, shuffles and sampling.
 *
 * @example
 * ```ts
 * const rng = createRandom(42);
 * rng.next(); // same value on every run
 * ```
 */
export function createRandom(seed: number): Random {
  checkSeed(seed, 'createRandom');
  const next = mulberry32((Math.trunc(seed) ^ 0x9e3779b9) >>> 0);
  const rng: Random = {
    seed,
    next,
    int(maxExclusive) {
      if (!Number.isInteger(maxExclusive) || maxExclusive < 1) {
        throw new ValidationError(
          'INVALID_INPUT',
          `Random.int: maxExclusive: expected a positive integer, got ${String(maxExclusive)}`,
          {
            operation: 'Random.int',
            details: { field: 'maxExclusive' },
          },
        );
      }
      return Math.floor(next() * maxExclusive);
    },
    shuffle(values) {
      const v = values as unknown as unknown[];
      for (let i = v.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const tmp = v[i];
        v[i] = v[j];
        v[j] = tmp;
      }
      return values;
    },
    fork: () => createRandom(Math.floor(next() * 4294967296)),
  };
  return rng;
}
