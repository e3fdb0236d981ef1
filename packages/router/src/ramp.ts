import { z } from 'zod';
import { RouterError } from './errors.js';
import { createTrafficSplitter, type TrafficSplitter } from './traffic-splitter.js';

/** Options of {@link createRampSchedule}. */
export interface RampScheduleOptions {
  /** The candidate's percentages, strictly increasing, each in (0, 100]. Default `[5, 10, 20, 50]`. */
  readonly steps?: readonly number[];
  /** The candidate variant's name. Default `'candidate'`. */
  readonly candidate?: string;
  /** The production variant's name. Default `'production'`. */
  readonly production?: string;
  /** The salt, kept for every step so that units stay put. Default `''`. */
  readonly salt?: string;
}

const schema = z.object({
  steps: z
    .array(z.number().gt(0).lte(100))
    .min(1)
    .refine((s) => s.every((x, i) => i === 0 || x > s[i - 1]!), 'steps must be strictly increasing')
    .optional(),
  candidate: z.string().min(1).optional(),
  production: z.string().min(1).optional(),
  salt: z.string().optional(),
});

/**
 * A ramp: the candidate's share grows step by step (e.g. 5 → 10 → 20 → 50 %) under one salt.
 * The candidate owns the lowest buckets, `bucket < percent × 100`, so a unit in the candidate
 * at one step is in it at every later step.
 */
export interface RampSchedule {
  /** The candidate's percentages, in order. */
  readonly steps: readonly number[];
  /** The weights of step `i` by variant name (`{ candidate: p, production: 100 - p }`). */
  weightsAt(i: number): Record<string, number>;
  /** The splitter of step `i` (candidate first, then production). */
  splitterAt(i: number): TrafficSplitter;
  /** The first step above `percent`, or `undefined` when the ramp is complete. */
  next(percent: number): number | undefined;
}

/**
 * Creates a {@link RampSchedule}.
 *
 * @example
 * ```ts
 * const ramp = createRampSchedule({ steps: [5, 10, 20, 50], salt: 'exp-7' });
 * ramp.splitterAt(0).assign('user-1'); // 'candidate' for 5 % of units
 * ramp.next(10); // 20
 * ```
 */
export function createRampSchedule(options: RampScheduleOptions = {}): RampSchedule {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    throw new RouterError('INVALID_OPTIONS', `invalid ramp schedule: ${z.prettifyError(parsed.error)}`, {
      operation: 'createRampSchedule',
      cause: parsed.error,
    });
  }
  const steps = [...(options.steps ?? [5, 10, 20, 50])];
  const candidate = options.candidate ?? 'candidate';
  const production = options.production ?? 'production';
  const salt = options.salt ?? '';
  const check = (i: number): number => {
    if (!Number.isInteger(i) || i < 0 || i >= steps.length) {
      throw new RouterError(
        'INVALID_OPTIONS',
        `ramp step ${i} is out of range: expected an integer in 0…${steps.length - 1}`,
        {
          operation: 'RampSchedule',
        },
      );
    }
    return steps[i]!;
  };
  return {
    steps,
    weightsAt(i) {
      const p = check(i);
      return { [candidate]: p, [production]: 100 - p };
    },
    splitterAt(i) {
      const p = check(i);
      return createTrafficSplitter({
        variants: [
          { name: candidate, weight: p },
          { name: production, weight: 100 - p },
        ],
        salt,
      });
    },
    next(percent) {
      return steps.find((s) => s > percent);
    },
  };
}
