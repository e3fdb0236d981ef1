/**
 * A mergeable latency histogram with log-spaced buckets and a fixed relative accuracy
 * (DDSketch-style). Its in-memory form IS its JSON form: a plain object that the router
 * mutates in place with {@link recordLatency} and that serialises with `JSON.stringify`.
 *
 * Bucket scheme (version 1): with `gamma = (1 + relativeAccuracy) / (1 − relativeAccuracy)`,
 * a value `v > minValue` falls in bucket `i = ceil(ln(v / minValue) / ln(gamma))`, which covers
 * `(minValue·gamma^(i−1), minValue·gamma^i]`; values in `[0, minValue]` are counted in
 * `zeroCount`. A quantile is reported as the bucket's midpoint `2·minValue·gamma^i / (gamma + 1)`,
 * so every reported quantile is within `relativeAccuracy` of a true sample value at that rank.
 * Buckets are keyed by the decimal string of `i`; only non-empty buckets are present.
 * Merging adds counts bucket by bucket, so it is exact, associative and commutative.
 */
import { z } from 'zod';
import { ValidationError } from '../errors.js';

/** Default relative accuracy of quantiles: 1 %. */
export const DEFAULT_RELATIVE_ACCURACY = 0.01;
/** Default smallest distinguishable latency in milliseconds (1 µs); smaller values count as zero. */
export const DEFAULT_MIN_LATENCY_MS = 0.001;

/** The JSON (and in-memory) form of a latency histogram, in milliseconds. */
export interface LatencyHistogramJson {
  /** Bucket scheme identifier; only `'log-gamma-v1'` exists. */
  scheme: 'log-gamma-v1';
  /** Relative accuracy of reported quantiles, e.g. `0.01` for 1 %. */
  relativeAccuracy: number;
  /** Values at or below this many milliseconds are counted in `zeroCount`. */
  minValue: number;
  /** Number of recorded values. */
  count: number;
  /** Exact sum of recorded values (ms), for the mean. */
  sum: number;
  /** Exact sum of squared recorded values (ms²), for the variance of the mean. */
  sumSq: number;
  /** Smallest recorded value (ms), `null` when empty. */
  min: number | null;
  /** Largest recorded value (ms), `null` when empty. */
  max: number | null;
  /** Number of values at or below `minValue`. */
  zeroCount: number;
  /** Non-empty buckets: decimal bucket index (a non-negative integer) → count. */
  bins: Record<string, number>;
}

/** Zod schema of {@link LatencyHistogramJson}. */
export const latencyHistogramSchema = z.object({
  scheme: z.literal('log-gamma-v1'),
  relativeAccuracy: z.number().gt(0).lt(1),
  minValue: z.number().gt(0),
  count: z.number().int().nonnegative(),
  sum: z.number().nonnegative(),
  sumSq: z.number().nonnegative(),
  min: z.number().nonnegative().nullable(),
  max: z.number().nonnegative().nullable(),
  zeroCount: z.number().int().nonnegative(),
  bins: z.record(z.string().regex(/^\d+$/), z.number().int().positive()),
});

/** Options of {@link emptyHistogram}. */
export interface HistogramOptions {
  /** Relative accuracy of quantiles; default `0.01` (1 %). */
  relativeAccuracy?: number;
  /** Smallest distinguishable value in ms; default `0.001`. */
  minValue?: number;
}

const logGammaCache = new Map<number, number>();
function logGamma(relativeAccuracy: number): number {
  let lg = logGammaCache.get(relativeAccuracy);
  if (lg === undefined) {
    lg = Math.log((1 + relativeAccuracy) / (1 - relativeAccuracy));
    logGammaCache.set(relativeAccuracy, lg);
  }
  return lg;
}

/**
 * Creates an empty histogram.
 *
 * @example
 * ```ts
 * const h = emptyHistogram();
 * recordLatency(h, 12.5);
 * histogramQuantile(h, 0.99); // ≈ 12.5 (within 1 %)
 * ```
 */
export function emptyHistogram(options: HistogramOptions = {}): LatencyHistogramJson {
  const relativeAccuracy = options.relativeAccuracy ?? DEFAULT_RELATIVE_ACCURACY;
  const minValue = options.minValue ?? DEFAULT_MIN_LATENCY_MS;
  if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) {
    throw new ValidationError(
      'INVALID_OPTIONS',
      `relativeAccuracy: expected a number in (0, 1), received ${relativeAccuracy}`,
      { operation: 'emptyHistogram' },
    );
  }
  if (!(minValue > 0)) {
    throw new ValidationError('INVALID_OPTIONS', `minValue: expected a positive number, received ${minValue}`, {
      operation: 'emptyHistogram',
    });
  }
  return {
    scheme: 'log-gamma-v1',
    relativeAccuracy,
    minValue,
    count: 0,
    sum: 0,
    sumSq: 0,
    min: null,
    max: null,
    zeroCount: 0,
    bins: {},
  };
}

/** The bucket index of a value above `minValue`. */
export function bucketIndex(h: LatencyHistogramJson, value: number): number {
  return Math.ceil(Math.log(value / h.minValue) / logGamma(h.relativeAccuracy));
}

/** The representative value (ms) of bucket `index`: within `relativeAccuracy` of every value in it. */
export function bucketValue(h: LatencyHistogramJson, index: number): number {
  const gamma = Math.exp(logGamma(h.relativeAccuracy));
  return (2 * h.minValue * gamma ** index) / (gamma + 1);
}

/** Largest latency (ms, about 31 years) a histogram accepts, so that its sum of squares stays finite. */
const MAX_LATENCY_MS = 1e12;

/**
 * Records one value (ms) in place, in O(1); allocation-free once the value's bucket exists.
 * Throws a ValidationError for a value that is not a number, negative, NaN, or above 1e12 ms.
 */
export function recordLatency(h: LatencyHistogramJson, valueMs: number): void {
  if (typeof valueMs !== 'number' || !(valueMs >= 0 && valueMs <= MAX_LATENCY_MS)) {
    throw new ValidationError(
      'INVALID_INPUT',
      `latencyMs: expected a finite number ≥ 0 and ≤ 1e12, received ${String(valueMs)}`,
      {
        operation: 'recordLatency',
        details: { field: 'latencyMs' },
      },
    );
  }
  h.count++;
  h.sum += valueMs;
  h.sumSq += valueMs * valueMs;
  if (h.min === null || valueMs < h.min) h.min = valueMs;
  if (h.max === null || valueMs > h.max) h.max = valueMs;
  if (valueMs <= h.minValue) {
    h.zeroCount++;
    return;
  }
  const key = Math.ceil(Math.log(valueMs / h.minValue) / logGamma(h.relativeAccuracy));
  const bins = h.bins;
  bins[key] = (bins[key] ?? 0) + 1;
}

/** Records `n` copies of one value at once (used by simulators and bulk imports). */
export function recordLatencyN(h: LatencyHistogramJson, valueMs: number, n: number): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new ValidationError(
      'INVALID_INPUT',
      `recordLatencyN: n: expected a non-negative integer, received ${String(n)}`,
      { operation: 'recordLatencyN', details: { field: 'n' } },
    );
  }
  if (n === 0) return;
  recordLatency(h, valueMs);
  if (n === 1) return;
  const extra = n - 1;
  h.count += extra;
  h.sum += valueMs * extra;
  h.sumSq += valueMs * valueMs * extra;
  if (valueMs <= h.minValue) h.zeroCount += extra;
  else h.bins[bucketIndex(h, valueMs)]! += extra;
}

/** Merges two histograms into a new one (inputs untouched); throws when their schemes differ. */
export function mergeHistograms(a: LatencyHistogramJson, b: LatencyHistogramJson): LatencyHistogramJson {
  if (a.relativeAccuracy !== b.relativeAccuracy || a.minValue !== b.minValue || a.scheme !== b.scheme) {
    throw new ValidationError(
      'INVALID_INPUT',
      `latency histograms differ in scheme (relativeAccuracy ${a.relativeAccuracy} vs ${b.relativeAccuracy}, minValue ${a.minValue} vs ${b.minValue})`,
      { operation: 'mergeHistograms' },
    );
  }
  const bins: Record<string, number> = { ...a.bins };
  for (const k of Object.keys(b.bins)) bins[k] = (bins[k] ?? 0) + b.bins[k]!;
  return {
    scheme: a.scheme,
    relativeAccuracy: a.relativeAccuracy,
    minValue: a.minValue,
    count: a.count + b.count,
    sum: a.sum + b.sum,
    sumSq: a.sumSq + b.sumSq,
    min: a.min === null ? b.min : b.min === null ? a.min : Math.min(a.min, b.min),
    max: a.max === null ? b.max : b.max === null ? a.max : Math.max(a.max, b.max),
    zeroCount: a.zeroCount + b.zeroCount,
    bins: sortBins(bins),
  };
}

function sortBins(bins: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(bins).sort((x, y) => Number(x) - Number(y))) out[k] = bins[k]!;
  return out;
}

function sortedBuckets(h: LatencyHistogramJson): Array<[number, number]> {
  // Bucket keys are non-negative integers, which JavaScript enumerates in ascending order; sort
  // only if an input broke that (e.g. hand-made JSON with odd keys).
  const out: Array<[number, number]> = [];
  let sorted = true;
  for (const k in h.bins) {
    const i = Number(k);
    if (out.length > 0 && i < out[out.length - 1]![0]) sorted = false;
    out.push([i, h.bins[k]!]);
  }
  return sorted ? out : out.sort((x, y) => x[0] - y[0]);
}

/**
 * The q-quantile (0…1) in ms, within `relativeAccuracy` of the true sample quantile (rank
 * `ceil(q·count)`), clamped to the recorded min and max (exact at ranks 1 and `count`); `NaN`
 * when the histogram is empty.
 */
export function histogramQuantile(h: LatencyHistogramJson, q: number): number {
  if (h.count === 0) return Number.NaN;
  if (!(q >= 0 && q <= 1))
    throw new ValidationError('INVALID_INPUT', `q: expected a number in [0, 1], received ${q}`, {
      operation: 'histogramQuantile',
    });
  const rank = Math.max(1, Math.ceil(q * h.count));
  if (rank === 1) return h.min ?? Number.NaN;
  if (rank === h.count) return h.max ?? Number.NaN;
  let seen = h.zeroCount;
  let value = h.min ?? 0;
  if (seen < rank) {
    for (const [index, n] of sortedBuckets(h)) {
      seen += n;
      if (seen >= rank) {
        value = bucketValue(h, index);
        break;
      }
    }
  }
  return Math.min(Math.max(value, h.min ?? value), h.max ?? value);
}

/** The exact mean (ms), `NaN` when empty. */
export function histogramMean(h: LatencyHistogramJson): number {
  return h.count === 0 ? Number.NaN : h.sum / h.count;
}

/** The sample variance (ms², n − 1 denominator), `NaN` with fewer than two values. */
export function histogramVariance(h: LatencyHistogramJson): number {
  if (h.count < 2) return Number.NaN;
  const mean = h.sum / h.count;
  return Math.max(0, (h.sumSq - h.count * mean * mean) / (h.count - 1));
}

/** How many recorded values exceed `thresholdMs` (to bucket resolution). */
export function histogramCountAbove(h: LatencyHistogramJson, thresholdMs: number): number {
  if (thresholdMs < h.minValue) return h.count - (thresholdMs < 0 ? 0 : h.zeroCount);
  const cut = bucketIndex(h, thresholdMs);
  let n = 0;
  for (const k of Object.keys(h.bins)) if (Number(k) > cut) n += h.bins[k]!;
  return n;
}

/** Several quantiles at once (one pass over the sorted buckets); same semantics as {@link histogramQuantile}. */
export function histogramQuantiles(h: LatencyHistogramJson, qs: readonly number[]): number[] {
  if (h.count === 0) return qs.map(() => Number.NaN);
  const order = qs
    .map((q, i) => [Math.max(1, Math.ceil(Math.min(1, Math.max(0, q)) * h.count)), i] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  // Ranks 1 and count are the exact min and max; `out` starts at max for the top ranks.
  const out = new Array<number>(qs.length).fill(h.max ?? 0);
  const lo = h.min ?? 0;
  const hi = h.max ?? 0;
  const buckets = sortedBuckets(h);
  let seen = h.zeroCount;
  let j = 0;
  let b = 0;
  while (j < order.length && (order[j]![0] <= seen || order[j]![0] === 1)) out[order[j++]![1]] = lo;
  while (j < order.length && b < buckets.length) {
    const [index, n] = buckets[b++]!;
    seen += n;
    if (order[j]![0] > seen) continue;
    const v = Math.min(Math.max(bucketValue(h, index), lo), hi);
    while (j < order.length && order[j]![0] <= seen && order[j]![0] < h.count) out[order[j++]![1]] = v;
  }
  return out;
}
