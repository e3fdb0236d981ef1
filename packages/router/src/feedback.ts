import { ValidationError, type FeedbackOutcome } from '@modelship/core';
import { checkFeedbackValues, DEFAULT_FEEDBACK_LIMITS, type FeedbackLimits } from '@modelship/core/outcomes';
import { z } from 'zod';
import type { RequestIdClaims } from './request-id.js';

/** Feedback on one prediction; give at least one field. */
export interface FeedbackInput {
  /** A user rating from 1 to 5 (e.g. stars). */
  readonly rating?: number | undefined;
  /** Whether the prediction was right. */
  readonly correct?: boolean | undefined;
  /** The actual value (regression) or label (classification), compared with the prediction carried by the id. */
  readonly actual?: number | string | undefined;
}

/** Zod schema of {@link FeedbackInput}. */
export const feedbackSchema = z
  .object({
    rating: z.number().min(1).max(5).optional(),
    correct: z.boolean().optional(),
    actual: z
      .union([z.number().refine(Number.isFinite, 'expected a finite number'), z.string().min(1).max(256)])
      .optional(),
  })
  .strict()
  .refine((f) => f.rating !== undefined || f.correct !== undefined || f.actual !== undefined, {
    message: 'give at least one of rating, correct or actual',
  });

/**
 * Validates feedback and turns it into the outcome recorded in the aggregates. A numeric `actual`
 * must lie in the plausible range of `limits` (default core's `DEFAULT_FEEDBACK_LIMITS`; the router
 * passes limits derived from the served artifact's training metrics): else a ValidationError
 * `INVALID_INPUT` names `actual` and the range, and nothing is recorded.
 */
export function toFeedbackOutcome(
  input: unknown,
  claims: RequestIdClaims,
  at: number,
  limits: FeedbackLimits = DEFAULT_FEEDBACK_LIMITS,
): { feedback: FeedbackInput; outcome: FeedbackOutcome } {
  const parsed = feedbackSchema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError('INVALID_INPUT', `invalid feedback: ${z.prettifyError(parsed.error)}`, {
      operation: 'router.feedback',
      cause: parsed.error,
    });
  }
  const fb = parsed.data;
  const outcome: FeedbackOutcome = { at };
  if (fb.rating !== undefined) outcome.rating = fb.rating;
  if (fb.correct !== undefined) outcome.correct = fb.correct;
  if (fb.actual !== undefined) {
    const predicted = claims.prediction;
    if (typeof fb.actual === 'number' && typeof predicted === 'number') {
      checkFeedbackValues('router.feedback', fb.actual, predicted, limits);
      outcome.actual = fb.actual;
      outcome.predicted = predicted;
    } else if (typeof fb.actual === 'string' && typeof predicted === 'string') {
      if (outcome.correct === undefined) outcome.correct = fb.actual === predicted;
    } else {
      const had = predicted === undefined ? 'no prediction it can compare' : `a ${typeof predicted} prediction`;
      throw new ValidationError(
        'INVALID_INPUT',
        `invalid feedback: ✖ actual: a ${typeof fb.actual} cannot be compared: the request id carries ${had}\n  → at actual`,
        {
          operation: 'router.feedback',
          details: { field: 'actual' },
        },
      );
    }
  }
  return { feedback: fb, outcome };
}
