import { describe, expect, it } from 'vitest';
import { isModelshipError } from '../src/errors.js';
import { createRampSchedule } from '../src/rollout/ramp-schedule.js';

describe('createRampSchedule', () => {
  it('steps the candidate 5 → 10 → 20 → 50 % by default under one salt', () => {
    const ramp = createRampSchedule({ salt: 'exp-9' });
    expect(ramp).toMatchObject({
      steps: [5, 10, 20, 50],
      candidate: 'candidate',
      production: 'production',
      salt: 'exp-9',
    });
    expect(ramp.weightsAt(0)).toEqual({ candidate: 5, production: 95 });
    expect(ramp.percentAt(3)).toBe(50);
    expect(ramp.next(0)).toBe(5);
    expect(ramp.next(12)).toBe(20);
    expect(ramp.next(50)).toBeUndefined();
    const named = createRampSchedule({ steps: [25, 100], candidate: 'b', production: 'a' });
    expect(named.weightsAt(1)).toEqual({ b: 100, a: 0 });
  });

  it('rejects bad steps and out-of-range steps with ValidationError INVALID_OPTIONS naming the problem', () => {
    const codeOf = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (err) {
        return isModelshipError(err, 'ValidationError', 'INVALID_OPTIONS') ? (err as Error).message : 'other error';
      }
      return undefined;
    };
    expect(codeOf(() => createRampSchedule({ steps: [10, 5] }))).toMatch(/strictly increasing/);
    expect(codeOf(() => createRampSchedule({ steps: [0, 5] }))).toMatch(/steps/);
    expect(codeOf(() => createRampSchedule({ steps: [] }))).toMatch(/steps/);
    const ramp = createRampSchedule();
    expect(codeOf(() => ramp.weightsAt(4))).toMatch(/out of range: expected an integer in 0…3/);
    expect(codeOf(() => ramp.percentAt(-1))).toMatch(/out of range/);
    expect(codeOf(() => ramp.percentAt(1.5))).toMatch(/out of range/);
  });
});
