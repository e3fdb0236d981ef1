import type { RampSchedule } from '@modelship/core';
import { createTrafficSplitter, type TrafficSplitter } from './traffic-splitter.js';

/**
 * The traffic splitter of step `step` of a ramp (core's `createRampSchedule`): candidate first,
 * so it owns the lowest buckets and a unit in the candidate at one step stays in it at every
 * later step. Throws core's `ValidationError('INVALID_OPTIONS')` for a step out of range.
 *
 * @example
 * ```ts
 * const ramp = createRampSchedule({ steps: [5, 10, 20, 50], salt: 'exp-7' });
 * createRampSplitter(ramp, 0).assign('user-1'); // 'candidate' for 5 % of units
 * ```
 */
export function createRampSplitter(ramp: RampSchedule, step: number): TrafficSplitter {
  const p = ramp.percentAt(step);
  return createTrafficSplitter({
    variants: [
      { name: ramp.candidate, weight: p },
      { name: ramp.production, weight: 100 - p },
    ],
    salt: ramp.salt,
  });
}
