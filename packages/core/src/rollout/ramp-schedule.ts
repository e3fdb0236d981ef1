import { z } from 'zod';
import { ValidationError } from '../errors.js';

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
 * A splitter of a step gives the candidate the lowest buckets, `bucket < percent × 100`, so a
 * unit in the candidate at one step is in it at every later step (the router's
 * `createRampSplitter` builds it).
 */
export interface RampSchedule {
  /** The candidate's percentages, in order. */
  readonly steps: readonly number[];
  /** The candidate variant's name. */
  readonly candidate: string;
  /** The production variant's name. */
  readonly production: string;
  /** The salt every step keeps. */
  readonly salt: string;
  /** The weights of step `i` by variant name (`{ candidate: p, production: 100 - p }`); throws for a step out of range. */
  weightsAt(i: number): Record<string, number>;
  /** The candidate's percentage at step `i`; throws `ValidationError('INVALID_OPTIONS')` for a step out of range. */
  percentAt(i: number): number;
  /** The first step above `percent`, or `undefined` when the ramp is complete. */
  next(percent: number): number | undefined;
}

/**
 * Creates a {@link RampSchedule}; throws `ValidationError('INVALID_OPTIONS')` naming the field.
 *
 * @example
 * ```ts
 * const ramp = createRampSchedule({ steps: [5, 10, 20, 50], salt: 'exp-7' });
 * ramp.weightsAt(0); // { candidate: 5, production: 95 }
 * ramp.next(10); // 20
 * ```
 */
export function createRampSchedule(options: RampScheduleOptions = {}): RampSchedule {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    throw new ValidationError('INVALID_OPTIONS', `invalid ramp schedule: ${z.prettifyError(parsed.error)}`, {
      operation: 'createRampSchedule',
      cause: parsed.error,
    });
  }
  const steps = [...(options.steps ?? [5, 10, 20, 50])];
  const candidate = options.candidate ?? 'candidate';
  const production = options.production ?? 'production';
  const salt = options.salt ?? '';
  const percentAt = (i: number): number => {
    if (!Number.isInteger(i) || i < 0 || i >= steps.length) {
      throw new ValidationError(
        'INVALID_OPTIONS',
        `ramp step ${i} is out of range: expected an integer in 0…${steps.length - 1}`,
        { operation: 'RampSchedule' },
      );
    }
    return steps[i]!;
  };
  return {
    steps,
    candidate,
    production,
    salt,
    percentAt,
    weightsAt(i) {
      const p = percentAt(i);
      return { [candidate]: p, [production]: 100 - p };
    },
    next(percent) {
      return steps.find((s) => s > percent);
    },
  };
}
