/**
 * Window contents per feature: bin or category counts updated in O(1) per value, plus the window's
 * raw values in a fixed ring (count windows, so sliding windows can remove the oldest value) or a
 * bounded reservoir sample (time windows) for the tests that need values (KS, Wasserstein). The
 * windows themselves (when they close, what they cover) are in `windows.ts`.
 */
import type { CategoricalFeatureProfile, FeatureProfile, NumericFeatureProfile } from './profile.js';
import type { CategoricalSnapshot, FeatureSnapshot, NumericSnapshot } from './feature-tests.js';
import { BinLookup } from './stats/bin-lookup.js';
import { toCategory, toNumber } from './values.js';
import type { StorageOptions } from './windows.js';

/** Distinct unseen categories tracked per feature before the rest share one bucket. */
export const MAX_NEW_CATEGORIES = 1000;
/** The bucket name of unseen categories beyond {@link MAX_NEW_CATEGORIES}. */
export const OTHER_NEW_CATEGORIES = '(other new categories)';

/** A feature's window state. */
export interface Accumulator {
  /** Adds a raw cell value (never throws). */
  add(raw: unknown): void;
  /** Removes the oldest value (ring mode only). */
  removeOldest(): void;
  /** The window's summary. */
  snapshot(): FeatureSnapshot;
  /** Empties the window. */
  reset(): void;
}

class NumericAccumulator implements Accumulator {
  private readonly bins: BinLookup;
  private readonly binCounts: Float64Array;
  private readonly values: Float64Array;
  private head = 0;
  private size = 0;
  private seen = 0;
  private n = 0;
  private missing = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private readonly shift: number;

  constructor(
    profile: NumericFeatureProfile,
    private readonly storage: StorageOptions,
  ) {
    this.bins = new BinLookup(profile.edges);
    this.binCounts = new Float64Array(profile.edges.length + 1);
    this.values = new Float64Array(storage.capacity);
    this.shift = profile.mean;
  }

  add(raw: unknown): void {
    const x = toNumber(raw);
    if (this.storage.mode === 'ring') {
      if (this.size === this.values.length) this.removeOldest();
      this.values[(this.head + this.size) % this.values.length] = x;
      this.size++;
    }
    if (Number.isNaN(x)) {
      this.missing++;
      return;
    }
    this.n++;
    this.binCounts[this.bins.bin(x)]!++;
    if (this.storage.mode === 'reservoir') {
      const d = x - this.shift;
      this.s1 += d;
      this.s2 += d * d;
      this.s3 += d * d * d;
      this.seen++;
      if (this.size < this.values.length) this.values[this.size++] = x;
      else {
        const j = Math.floor(this.storage.random() * this.seen);
        if (j < this.values.length) this.values[j] = x;
      }
    }
  }

  removeOldest(): void {
    if (this.storage.mode !== 'ring' || this.size === 0) return;
    const x = this.values[this.head]!;
    this.head = (this.head + 1) % this.values.length;
    this.size--;
    if (Number.isNaN(x)) this.missing--;
    else {
      this.n--;
      this.binCounts[this.bins.bin(x)]!--;
    }
  }

  snapshot(): NumericSnapshot {
    const vals: number[] = [];
    if (this.storage.mode === 'ring') {
      for (let i = 0; i < this.size; i++) {
        const x = this.values[(this.head + i) % this.values.length]!;
        if (!Number.isNaN(x)) vals.push(x);
      }
    } else for (let i = 0; i < this.size; i++) vals.push(this.values[i]!);
    const sorted = Float64Array.from(vals).sort();
    let mean = 0;
    let m2 = 0;
    let m3 = 0;
    if (this.storage.mode === 'ring') {
      const n = sorted.length;
      for (const x of sorted) mean += x;
      mean = n ? mean / n : Number.NaN;
      for (const x of sorted) {
        const d = x - mean;
        m2 += d * d;
        m3 += d * d * d;
      }
      m2 /= n || 1;
      m3 /= n || 1;
    } else if (this.n > 0) {
      const a = this.s1 / this.n;
      const b = this.s2 / this.n;
      const c = this.s3 / this.n;
      mean = this.shift + a;
      m2 = Math.max(b - a * a, 0);
      m3 = c - 3 * a * b + 2 * a * a * a;
    } else mean = Number.NaN;
    return {
      type: 'numeric',
      count: this.n,
      missing: this.missing,
      binCounts: Float64Array.from(this.binCounts),
      mean,
      std: Math.sqrt(m2),
      skewness: m2 > 0 ? m3 / m2 ** 1.5 : 0,
      sorted,
    };
  }

  reset(): void {
    this.binCounts.fill(0);
    this.head = this.size = this.seen = this.n = this.missing = 0;
    this.s1 = this.s2 = this.s3 = 0;
  }
}

class CategoricalAccumulator implements Accumulator {
  private readonly index = new Map<string, number>();
  private readonly counts: Float64Array;
  private readonly newIndex = new Map<string, number>();
  private newNames: string[] = [];
  private newCounts: number[] = [];
  /** Slots of unseen categories that left a sliding window, free for reuse. */
  private freeIds: number[] = [];
  private readonly codes: Int32Array;
  private head = 0;
  private size = 0;
  private n = 0;
  private missing = 0;

  constructor(
    profile: CategoricalFeatureProfile,
    private readonly storage: StorageOptions,
  ) {
    for (const [i, c] of profile.categories.entries()) this.index.set(c, i);
    this.counts = new Float64Array(profile.categories.length);
    this.codes = new Int32Array(storage.mode === 'ring' ? storage.capacity : 0);
  }

  private newCode(c: string): number {
    let id = this.newIndex.get(c);
    if (id === undefined) {
      // The overflow bucket gets a slot of its own beyond the limit (so the limit can never recurse).
      if (c !== OTHER_NEW_CATEGORIES && this.newIndex.size >= MAX_NEW_CATEGORIES)
        return this.newCode(OTHER_NEW_CATEGORIES);
      const free = this.freeIds.pop();
      if (free !== undefined) {
        id = free;
        this.newNames[id] = c;
        this.newCounts[id] = 0;
      } else {
        id = this.newNames.length;
        this.newNames.push(c);
        this.newCounts.push(0);
      }
      this.newIndex.set(c, id);
    }
    return id;
  }

  add(raw: unknown): void {
    const c = toCategory(raw);
    let code: number;
    if (c === undefined) {
      this.missing++;
      code = -1;
    } else {
      this.n++;
      const k = this.index.get(c);
      if (k !== undefined) {
        this.counts[k]!++;
        code = k;
      } else {
        const id = this.newCode(c);
        this.newCounts[id]!++;
        code = this.counts.length + id;
      }
    }
    if (this.storage.mode === 'ring') {
      if (this.size === this.codes.length) this.removeOldest();
      this.codes[(this.head + this.size) % this.codes.length] = code;
      this.size++;
    }
  }

  removeOldest(): void {
    if (this.storage.mode !== 'ring' || this.size === 0) return;
    const code = this.codes[this.head]!;
    this.head = (this.head + 1) % this.codes.length;
    this.size--;
    if (code < 0) this.missing--;
    else {
      this.n--;
      if (code < this.counts.length) this.counts[code]!--;
      else {
        const id = code - this.counts.length;
        // An unseen category that left the window frees its slot for the next one.
        if (--this.newCounts[id]! === 0) {
          this.newIndex.delete(this.newNames[id]!);
          this.freeIds.push(id);
        }
      }
    }
  }

  snapshot(): CategoricalSnapshot {
    const newCategories: [string, number][] = [];
    this.newNames.forEach((name, i) => {
      if (this.newCounts[i]! > 0) newCategories.push([name, this.newCounts[i]!]);
    });
    return {
      type: 'categorical',
      count: this.n,
      missing: this.missing,
      counts: Float64Array.from(this.counts),
      newCategories,
    };
  }

  reset(): void {
    this.counts.fill(0);
    this.newIndex.clear();
    this.newNames = [];
    this.newCounts = [];
    this.freeIds = [];
    this.head = this.size = this.n = this.missing = 0;
  }
}

/** Creates the window state of one profiled feature. */
export function createAccumulator(profile: FeatureProfile, storage: StorageOptions): Accumulator {
  return profile.type === 'numeric'
    ? new NumericAccumulator(profile, storage)
    : new CategoricalAccumulator(profile, storage);
}
