/**
 * ADWIN (adaptive windowing, Bifet & Gavaldà 2007), following River's `drift.ADWIN`: an
 * exponential histogram of buckets, a cut test every `clock` values once the window is longer
 * than `gracePeriod`, and the oldest buckets dropped while the two sub-windows differ.
 */

import { z } from 'zod';
import { DriftError } from '../errors.js';

const optionsSchema = z.object({
  delta: z.number().gt(0).lt(1).optional(),
  clock: z.number().int().min(1).optional(),
  maxBuckets: z.number().int().min(1).optional(),
  minWindowLength: z.number().int().min(1).optional(),
  gracePeriod: z.number().int().min(1).optional(),
});

/** Options of {@link Adwin}; defaults are River's. */
export interface AdwinOptions {
  /** Confidence value δ (default 0.002). */
  delta?: number;
  /** How often, in values, the cut test runs (default 32). */
  clock?: number;
  /** Buckets of each size kept before two are merged (default 5). */
  maxBuckets?: number;
  /** Minimum length of each sub-window at a cut (default 5). */
  minWindowLength?: number;
  /** Window length below which no cut is tested (default 10). */
  gracePeriod?: number;
}

interface Row {
  totals: number[];
  variances: number[];
}

/**
 * Adaptive windowing change detector on a stream of values (for concept drift: the errors).
 * @example
 * ```ts
 * const adwin = new Adwin();
 * for (const e of errors) if (adwin.update(e)) console.log('drift; window now', adwin.width);
 * ```
 */
export class Adwin {
  /** The resolved options. */
  readonly options: Required<AdwinOptions>;
  /** Whether the last update signalled a change. */
  driftDetected = false;
  /** Changes detected so far. */
  detections = 0;
  private rows: Row[] = [{ totals: [], variances: [] }];
  private total = 0;
  private variance = 0;
  private w = 0;
  private tick = 0;

  /** Throws DriftError('INVALID_OPTIONS') naming the field for an option out of range. */
  constructor(options: AdwinOptions = {}) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) {
      throw new DriftError('INVALID_OPTIONS', `Adwin: invalid options\n${z.prettifyError(parsed.error)}`, {
        operation: 'Adwin',
      });
    }
    this.options = {
      delta: options.delta ?? 0.002,
      clock: options.clock ?? 32,
      maxBuckets: options.maxBuckets ?? 5,
      minWindowLength: options.minWindowLength ?? 5,
      gracePeriod: options.gracePeriod ?? 10,
    };
  }

  /** The current window length. */
  get width(): number {
    return this.w;
  }

  /** The mean of the current window. */
  get estimation(): number {
    return this.w > 0 ? this.total / this.w : 0;
  }

  /** Adds one value; returns whether a change was detected (non-finite values are ignored). */
  update(value: number): boolean {
    if (!Number.isFinite(value)) return false;
    this.insert(value);
    this.driftDetected = this.detectChange();
    if (this.driftDetected) this.detections++;
    return this.driftDetected;
  }

  private insert(value: number): void {
    const row0 = this.rows[0]!;
    row0.totals.push(value);
    row0.variances.push(0);
    this.w += 1;
    if (this.w > 1) {
      const d = value - this.total / (this.w - 1);
      this.variance += ((this.w - 1) * d * d) / this.w;
    }
    this.total += value;
    this.compress();
  }

  private compress(): void {
    const max = this.options.maxBuckets;
    for (let idx = 0; idx < this.rows.length; idx++) {
      const row = this.rows[idx]!;
      if (row.totals.length !== max + 1) break;
      if (idx + 1 >= this.rows.length) this.rows.push({ totals: [], variances: [] });
      const next = this.rows[idx + 1]!;
      const n = 2 ** idx;
      const mu1 = row.totals[0]! / n;
      const mu2 = row.totals[1]! / n;
      next.totals.push(row.totals[0]! + row.totals[1]!);
      next.variances.push(row.variances[0]! + row.variances[1]! + (n * n * (mu1 - mu2) ** 2) / (2 * n));
      row.totals.splice(0, 2);
      row.variances.splice(0, 2);
      if (next.totals.length <= max) break;
    }
  }

  private deleteOldest(): number {
    const idx = this.rows.length - 1;
    const row = this.rows[idx]!;
    const n = 2 ** idx;
    const u = row.totals[0]!;
    const mu = u / n;
    const v = row.variances[0]!;
    this.w -= n;
    this.total -= u;
    const muW = this.total / this.w;
    this.variance -= v + (n * this.w * (mu - muW) ** 2) / (n + this.w);
    row.totals.shift();
    row.variances.shift();
    if (row.totals.length === 0) this.rows.pop();
    return n;
  }

  private evaluateCut(n0: number, n1: number, deltaMean: number): boolean {
    const { delta, minWindowLength } = this.options;
    const deltaPrime = Math.log((2 * Math.log(this.w)) / delta);
    const mRecip = 1 / (n0 - minWindowLength + 1) + 1 / (n1 - minWindowLength + 1);
    const eps = Math.sqrt(2 * mRecip * (this.variance / this.w) * deltaPrime) + (2 / 3) * deltaPrime * mRecip;
    return Math.abs(deltaMean) > eps;
  }

  private detectChange(): boolean {
    let changed = false;
    this.tick++;
    const { clock, gracePeriod, minWindowLength } = this.options;
    if (this.tick % clock !== 0 || !(this.w > gracePeriod)) return false;
    let reduce = true;
    while (reduce) {
      reduce = false;
      let exit = false;
      let n0 = 0;
      let n1 = this.w;
      let u0 = 0;
      let u1 = this.total;
      for (let idx = this.rows.length - 1; idx >= 0 && !exit; idx--) {
        const row = this.rows[idx]!;
        const size = 2 ** idx;
        for (let k = 0; k < row.totals.length - 1; k++) {
          n0 += size;
          n1 -= size;
          u0 += row.totals[k]!;
          u1 -= row.totals[k]!;
          if (idx === 0 && k === row.totals.length - 1) {
            exit = true;
            break;
          }
          const deltaMean = u0 / n0 - u1 / n1;
          if (n1 >= minWindowLength && n0 >= minWindowLength && this.evaluateCut(n0, n1, deltaMean)) {
            reduce = true;
            changed = true;
            if (this.w > 0) {
              n0 -= this.deleteOldest();
              exit = true;
              break;
            }
          }
        }
      }
    }
    return changed;
  }
}
