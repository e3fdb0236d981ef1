/** The Page–Hinkley change detector, as River's `drift.PageHinkley` (mode 'both'). */
import { z } from 'zod';
import { DriftError } from '../errors.js';

const optionsSchema = z.object({
  minInstances: z.number().int().min(1).optional(),
  delta: z.number().finite().min(0).optional(),
  threshold: z.number().finite().positive().optional(),
  alpha: z.number().gt(0).max(1).optional(),
  mode: z.enum(['up', 'down', 'both']).optional(),
});

/** Options of {@link PageHinkley}; defaults are River's. */
export interface PageHinkleyOptions {
  /** Values seen before a change can be signalled (default 30). */
  minInstances?: number;
  /** Magnitude of change tolerated (default 0.005). */
  delta?: number;
  /** The change threshold λ (default 50). */
  threshold?: number;
  /** Forgetting factor of the cumulative sums (default 1 − 0.0001). */
  alpha?: number;
  /** Which direction to watch: 'up', 'down' or 'both' (default 'both'). */
  mode?: 'up' | 'down' | 'both';
}

/**
 * Page–Hinkley test on a stream of values (for concept drift: the model's errors).
 * @example
 * ```ts
 * const ph = new PageHinkley();
 * for (const e of errors) if (ph.update(e)) console.log('drift');
 * ```
 */
export class PageHinkley {
  /** The resolved options. */
  readonly options: Required<PageHinkleyOptions>;
  /** Whether the last update signalled a change. */
  driftDetected = false;
  private n = 0;
  private mean = 0;
  private sumIncrease = 0;
  private sumDecrease = 0;
  private minIncrease = Infinity;
  private maxDecrease = -1;

  /** Throws DriftError('INVALID_OPTIONS') naming the field for an option out of range. */
  constructor(options: PageHinkleyOptions = {}) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) {
      throw new DriftError('INVALID_OPTIONS', `PageHinkley: invalid options\n${z.prettifyError(parsed.error)}`, {
        operation: 'PageHinkley',
      });
    }
    this.options = {
      minInstances: options.minInstances ?? 30,
      delta: options.delta ?? 0.005,
      threshold: options.threshold ?? 50,
      alpha: options.alpha ?? 1 - 0.0001,
      mode: options.mode ?? 'both',
    };
  }

  /** Forgets everything seen so far. */
  reset(): void {
    this.driftDetected = false;
    this.n = 0;
    this.mean = 0;
    this.sumIncrease = 0;
    this.sumDecrease = 0;
    this.minIncrease = Infinity;
    this.maxDecrease = -1;
  }

  /** Adds one value; returns whether a change is detected now (the detector resets on the next value). Non-finite values are ignored. */
  update(x: number): boolean {
    if (!Number.isFinite(x)) return false;
    if (this.driftDetected) this.reset();
    const { alpha, delta, minInstances, threshold, mode } = this.options;
    this.n++;
    this.mean += (x - this.mean) / this.n;
    const dev = x - this.mean;
    this.sumIncrease = alpha * this.sumIncrease + dev - delta;
    this.sumDecrease = alpha * this.sumDecrease + dev + delta;
    this.minIncrease = Math.min(this.minIncrease, this.sumIncrease);
    this.maxDecrease = Math.max(this.maxDecrease, this.sumDecrease);
    if (this.n >= minInstances) {
      const up = this.sumIncrease - this.minIncrease > threshold;
      const down = this.maxDecrease - this.sumDecrease > threshold;
      this.driftDetected = mode === 'up' ? up : mode === 'down' ? down : up || down;
    }
    return this.driftDetected;
  }

  /** Values seen since the last reset. */
  get count(): number {
    return this.n;
  }
}
