/** Counting a batch of live values into a profile's bins or categories (O(1) work per value). */
import type { CategoricalFeatureProfile, NumericFeatureProfile } from '../profile.js';
import { toCategory, toNumber } from '../values.js';
import { BinLookup } from './bin-lookup.js';

/** Counts of live values per bin of a numeric profile, and how many were missing. */
export function countBins(
  profile: NumericFeatureProfile,
  values: ArrayLike<unknown>,
): {
  /** Live values per bin, in the profile's bin order. */
  counts: Float64Array;
  /** Missing values. */
  missing: number;
} {
  const counts = new Float64Array(profile.edges.length + 1);
  const lookup = new BinLookup(profile.edges);
  if (values instanceof Float64Array) return countBinsF64(lookup, counts, values);
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const x = toNumber(values[i]);
    if (x !== x) missing++;
    else counts[lookup.bin(x)]!++;
  }
  return { counts, missing };
}

/** The Float64Array path of {@link countBins}. */
function countBinsF64(
  lookup: BinLookup,
  counts: Float64Array,
  values: Float64Array,
): { counts: Float64Array; missing: number } {
  const missing = lookup.countInto(values, counts);
  return { counts, missing };
}

/**
 * Counts of live values per category of a categorical profile, the unseen categories with their
 * counts, and how many were missing. Integer typed arrays take a fast path by integer code.
 */
export function countCategories(
  profile: CategoricalFeatureProfile,
  values: ArrayLike<unknown>,
): {
  /** Live values per category, in the profile's category order. */
  counts: Float64Array;
  /** Categories the profile does not list, with their counts. */
  newCategories: [string, number][];
  /** Missing values. */
  missing: number;
} {
  const k = profile.categories.length;
  const counts = new Float64Array(k);
  const fresh = new Map<string, number>();
  let missing = 0;
  if (
    values instanceof Int32Array ||
    values instanceof Uint8Array ||
    values instanceof Uint16Array ||
    values instanceof Int16Array
  ) {
    let lo = Infinity;
    let hi = -Infinity;
    const codes: number[] = [];
    profile.categories.forEach((c) => {
      const v = Number(c);
      codes.push(Number.isInteger(v) && String(v) === c ? v : Number.NaN);
      if (Number.isInteger(v) && String(v) === c) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    });
    if (hi - lo < 1_000_000) {
      const table = new Int32Array(Math.max(hi - lo + 1, 0)).fill(-1);
      codes.forEach((v, i) => {
        if (!Number.isNaN(v)) table[v - lo] = i;
      });
      countCodes(values, lo, table, counts, fresh);
      return { counts, newCategories: [...fresh], missing };
    }
  }
  const index = new Map(profile.categories.map((c, i) => [c, i] as const));
  for (let i = 0; i < values.length; i++) {
    const c = toCategory(values[i]);
    if (c === undefined) {
      missing++;
      continue;
    }
    const j = index.get(c);
    if (j !== undefined) counts[j]!++;
    else fresh.set(c, (fresh.get(c) ?? 0) + 1);
  }
  return { counts, newCategories: [...fresh], missing };
}

function countCodes(
  values: Int32Array | Uint8Array | Uint16Array | Int16Array,
  lo: number,
  table: Int32Array,
  counts: Float64Array,
  fresh: Map<string, number>,
): void {
  const t = table.length;
  const scratch = new Float64Array(t);
  let outside = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]! - lo;
    if (v >= 0 && v < t) scratch[v]!++;
    else outside++;
  }
  for (let v = 0; v < t; v++) {
    const c = scratch[v]!;
    if (c === 0) continue;
    const j = table[v]!;
    if (j >= 0) counts[j]! += c;
    else fresh.set(String(v + lo), (fresh.get(String(v + lo)) ?? 0) + c);
  }
  if (outside > 0) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]! - lo;
      if (!(v >= 0 && v < t)) fresh.set(String(values[i]), (fresh.get(String(values[i])) ?? 0) + 1);
    }
  }
}
