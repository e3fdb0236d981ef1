/**
 * How a simulated user reacts to a price estimate: a star rating from the relative error of the
 * prediction against the price the home actually sold for, and whether it was "accurate".
 */

/** Upper bounds of the relative error for 5, 4, 3 and 2 stars; above the last, 1 star. */
export const STAR_BOUNDS: readonly number[] = [0.1, 0.2, 0.3, 0.5];

/** A relative error within this counts as `correct: true`. */
export const ACCURATE_WITHIN = 0.2;

/** The feedback a user sends about one estimate. */
export interface UserFeedback {
  /** Stars from 1 to 5. */
  rating: number;
  /** Whether the estimate was within {@link ACCURATE_WITHIN} of the actual price. */
  correct: boolean;
  /** The actual price (lakhs). */
  actual: number;
}

/** `|predicted − actual| / actual`. */
export function relativeError(predicted: number, actual: number): number {
  return Math.abs(predicted - actual) / Math.abs(actual);
}

/** Stars from the relative error: ≤ 10 % → 5, ≤ 20 % → 4, ≤ 30 % → 3, ≤ 50 % → 2, else 1. */
export function starRating(relError: number): number {
  for (let i = 0; i < STAR_BOUNDS.length; i++) if (relError <= STAR_BOUNDS[i]!) return 5 - i;
  return 1;
}

/** The feedback of a user who saw `predicted` and knows `actual`. */
export function userFeedback(predicted: number, actual: number): UserFeedback {
  const e = relativeError(predicted, actual);
  return { rating: starRating(e), correct: e <= ACCURATE_WITHIN, actual };
}
