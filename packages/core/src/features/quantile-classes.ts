import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { parseOrThrow } from '../data/zod-parse.js';

/** The serial form of a {@link QuantileBinner}: plain JSON data. */
export interface QuantileBinnerState {
  /** Format tag. */
  readonly format: 'modelship.quantile-binner';
  /** Format version. */
  readonly version: 1;
  /** The quantiles the thresholds were fitted at. */
  readonly quantiles: readonly number[];
  /** Fitted thresholds, ascending (one per quantile). */
  readonly thresholds: readonly number[];
  /** Ordered class labels (one more than thresholds). */
  readonly labels: readonly string[];
}

const stateZ = z
  .strictObject({
    format: z.literal('modelship.quantile-binner'),
    version: z.literal(1),
    quantiles: z.array(z.number().gt(0).lt(1)).min(1),
    thresholds: z.array(z.number().refine(Number.isFinite, 'must be finite')).min(1),
    labels: z.array(z.string()).min(2),
  })
  .refine((s) => s.thresholds.length === s.quantiles.length && s.labels.length === s.thresholds.length + 1, {
    message: 'expected one threshold per quantile and one more label than thresholds',
  });

/** numpy's default (`'linear'`) quantile of ascending `sorted` values. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const t = pos - lo;
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/**
 * Maps a regression target to ordered classes by quantile thresholds fitted on training values.
 * Bins are right-closed like pandas `qcut`: class 0 is `v ≤ t₀`, class k is `tₖ₋₁ < v ≤ tₖ`, the
 * last class is `v > t_last`.
 */
export class QuantileBinner {
  /** The quantiles the thresholds were fitted at. */
  readonly quantiles: readonly number[];
  /** Fitted thresholds, ascending. */
  readonly thresholds: readonly number[];
  /** Ordered class labels. */
  readonly labels: readonly string[];

  /** Builds a binner from fitted thresholds (use {@link quantileClasses} to fit one). */
  constructor(quantiles: readonly number[], thresholds: readonly number[], labels: readonly string[]) {
    this.quantiles = Object.freeze([...quantiles]);
    this.thresholds = Object.freeze([...thresholds]);
    this.labels = Object.freeze([...labels]);
  }

  /** The class index of `value`; ValidationError for NaN. */
  classify(value: number): number {
    if (typeof value !== 'number' || Number.isNaN(value)) {
      throw new ValidationError('INVALID_INPUT', `QuantileBinner.classify: expected a number, got ${String(value)}`, {
        operation: 'QuantileBinner.classify',
      });
    }
    let k = 0;
    while (k < this.thresholds.length && value > this.thresholds[k]!) k++;
    return k;
  }

  /** The class label of `value`. */
  label(value: number): string {
    return this.labels[this.classify(value)]!;
  }

  /** Class indices of many values. */
  transform(values: ArrayLike<number>): Float64Array {
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = this.classify(values[i]!);
    return out;
  }

  /** The binner as plain JSON data. */
  toJSON(): QuantileBinnerState {
    return {
      format: 'modelship.quantile-binner',
      version: 1,
      quantiles: [...this.quantiles],
      thresholds: [...this.thresholds],
      labels: [...this.labels],
    };
  }

  /** Reads a binner back, validating it with zod (ValidationError `INVALID_INPUT`). */
  static fromJSON(state: unknown): QuantileBinner {
    const s = parseOrThrow(
      stateZ,
      state,
      'QuantileBinner.fromJSON',
      'state',
      (m, o) => new ValidationError('INVALID_INPUT', m, o),
    );
    return new QuantileBinner(s.quantiles, s.thresholds, s.labels);
  }
}

/**
 * Fits a {@link QuantileBinner} on training target values: thresholds at the given quantiles
 * (numpy's linear interpolation), one label per class. Missing (NaN) values are ignored.
 *
 * @example
 * ```ts
 * const bins = quantileClasses(trainPrices, [0.4, 0.8], ['Low', 'Medium', 'High']);
 * bins.label(95); // 'Medium'
 * ```
 */
export function quantileClasses(
  values: ArrayLike<number>,
  quantiles: readonly number[],
  labels: readonly string[],
): QuantileBinner {
  const fail = (msg: string): never => {
    throw new ValidationError('INVALID_OPTIONS', `quantileClasses: ${msg}`, { operation: 'quantileClasses' });
  };
  if (quantiles.length === 0 || quantiles.some((q, i) => !(q > 0 && q < 1) || (i > 0 && q <= quantiles[i - 1]!))) {
    fail(`quantiles: expected ascending numbers in (0, 1), got [${quantiles.join(', ')}]`);
  }
  if (labels.length !== quantiles.length + 1)
    fail(`labels: expected ${quantiles.length + 1} labels, got ${labels.length}`);
  const present: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) present.push(values[i]!);
  if (present.length === 0) fail('values: expected at least one non-missing value');
  const sorted = Float64Array.from(present).sort();
  return new QuantileBinner(
    quantiles,
    quantiles.map((q) => quantileSorted(sorted, q)),
    labels,
  );
}
