import { mulberry32 } from '@modelship/core';

/** Deterministic random numbers for tests: core's seeded mulberry32 (one implementation in the repository). */
export { mulberry32 };

/** Standard normal draws (Box–Muller) from a uniform source. */
export function normals(rand: () => number, n: number, mean = 0, sd = 1): number[] {
  const out: number[] = [];
  while (out.length < n) {
    const u = 1 - rand();
    const v = rand();
    out.push(mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }
  return out;
}

/** Rows of a numeric feature x and a categorical feature c. */
export function makeRows(
  rand: () => number,
  n: number,
  shift = 0,
  cats = ['a', 'b', 'c', 'd'],
): { x: number; c: string }[] {
  const xs = normals(rand, n, shift, 1);
  return xs.map((x) => ({ x, c: cats[Math.floor(rand() * cats.length)]! }));
}
