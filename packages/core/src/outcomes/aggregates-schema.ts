/**
 * Zod schemas of the outcome aggregates (schema version 1) and the validating parser the
 * evaluator runs on every input (a fast structural check first, zod for the error message).
 */
import { z } from 'zod';
import { EvaluationError } from '../errors.js';
import { latencyHistogramSchema } from './latency-histogram.js';
import type { ExperimentAggregates } from './aggregates.js';
import { parseOrThrow } from '../data/zod-parse.js';

const count = z.number().int().nonnegative();
const sum = z.number().refine(Number.isFinite, 'expected a finite number');
const nonNegSum = z.number().nonnegative().refine(Number.isFinite, 'expected a finite number');
const time = z.number().nonnegative().nullable();

/** Zod schema of {@link FeedbackSums}. */
export const feedbackSumsSchema = z.object({
  count,
  ratingCount: count,
  ratingSum: sum,
  ratingSumSq: nonNegSum,
  correctCount: count,
  correctTotal: count,
  actualCount: count,
  errorSum: sum,
  absErrorSum: nonNegSum,
  sqErrorSum: nonNegSum,
  sqErrorSumSq: nonNegSum,
});

/**
 * True when `n` values cannot have this sum and sum of squares: sums without values, or
 * sum² > n · sumSq (Cauchy–Schwarz; a negative variance), beyond floating-point rounding.
 */
function impossibleMoments(n: number, sum: number, sumSq: number): boolean {
  if (n === 0) return sum !== 0 || sumSq !== 0;
  return sum * sum - n * sumSq > 1e-6 * sum * sum;
}

/** The first field whose sums no data could produce (`[path…]`), or `undefined` when the sums are consistent. */
function inconsistentSums(a: {
  feedback: Record<string, number>;
  latency: { count: number; sum: number; sumSq: number };
}): string[] | undefined {
  const f = a.feedback;
  if (impossibleMoments(f.ratingCount!, f.ratingSum!, f.ratingSumSq!))
    return ['feedback', f.ratingCount === 0 && f.ratingSum !== 0 ? 'ratingSum' : 'ratingSumSq'];
  if (Math.abs(f.errorSum!) > f.absErrorSum! * (1 + 1e-9)) return ['feedback', 'absErrorSum'];
  if (impossibleMoments(f.actualCount!, f.absErrorSum!, f.sqErrorSum!))
    return ['feedback', f.actualCount === 0 && f.absErrorSum !== 0 ? 'absErrorSum' : 'sqErrorSum'];
  if (impossibleMoments(f.actualCount!, f.sqErrorSum!, f.sqErrorSumSq!)) return ['feedback', 'sqErrorSumSq'];
  if (impossibleMoments(a.latency.count, a.latency.sum, a.latency.sumSq))
    return ['latency', a.latency.count === 0 && a.latency.sum !== 0 ? 'sum' : 'sumSq'];
  return undefined;
}

/** Zod schema of {@link VariantAggregates}, with cross-field checks (errors ≤ requests, sums some data could produce…). */
export const variantAggregatesSchema = z
  .object({
    schemaVersion: z.literal(1),
    variant: z.string().min(1),
    modelVersion: z.string().optional(),
    requests: count,
    errors: count,
    fallbacks: count,
    timeouts: count,
    feedback: feedbackSumsSchema,
    latency: latencyHistogramSchema,
    firstSeen: time,
    lastSeen: time,
  })
  .superRefine((a, ctx) => {
    if (a.errors > a.requests)
      ctx.addIssue({
        code: 'custom',
        path: ['errors'],
        message: `errors (${a.errors}) exceed requests (${a.requests})`,
      });
    if (a.latency.count > a.requests)
      ctx.addIssue({
        code: 'custom',
        path: ['latency', 'count'],
        message: `latency count (${a.latency.count}) exceeds requests (${a.requests})`,
      });
    if (a.feedback.correctCount > a.feedback.correctTotal)
      ctx.addIssue({
        code: 'custom',
        path: ['feedback', 'correctCount'],
        message: 'correctCount exceeds correctTotal',
      });
    if (a.feedback.ratingCount > a.feedback.count)
      ctx.addIssue({ code: 'custom', path: ['feedback', 'ratingCount'], message: 'ratingCount exceeds count' });
    const bad = inconsistentSums(a);
    if (bad)
      ctx.addIssue({
        code: 'custom',
        path: bad,
        message: `${bad.join('.')} is inconsistent with the other sums and counts (no data gives these values)`,
      });
  });

/** Zod schema of {@link ExperimentAggregates}; each key must equal its entry's `variant`. */
export const experimentAggregatesSchema = z
  .object({
    schemaVersion: z.literal(1),
    variants: z.record(z.string(), variantAggregatesSchema),
    since: z.number().nonnegative(),
    until: z.number().nonnegative(),
    weights: z.record(z.string(), z.number().nonnegative()).optional(),
  })
  .superRefine((e, ctx) => {
    for (const [k, v] of Object.entries(e.variants)) {
      if (v.variant !== k)
        ctx.addIssue({
          code: 'custom',
          path: ['variants', k, 'variant'],
          message: `expected "${k}", received "${v.variant}"`,
        });
    }
    if (e.until < e.since) ctx.addIssue({ code: 'custom', path: ['until'], message: 'until is before since' });
  });

const isCount = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x) && x >= 0;
const isFiniteNum = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);
const isNonNeg = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && x >= 0;
const isTime = (x: unknown): boolean => x === null || isNonNeg(x);
const COUNT_FIELDS = ['count', 'ratingCount', 'correctCount', 'correctTotal', 'actualCount'] as const;
const NONNEG_FIELDS = ['ratingSumSq', 'absErrorSum', 'sqErrorSum', 'sqErrorSumSq'] as const;

/** A fast structural check equivalent to (or stricter than) the zod schema, for the hot path. */
function looksValid(input: unknown): boolean {
  if (typeof input !== 'object' || input === null) return false;
  const e = input as Record<string, unknown>;
  if (e.schemaVersion !== 1 || !isNonNeg(e.since) || !isNonNeg(e.until) || (e.until as number) < (e.since as number))
    return false;
  if (e.weights !== undefined) {
    if (typeof e.weights !== 'object' || e.weights === null) return false;
    for (const w of Object.values(e.weights)) if (!isNonNeg(w)) return false;
  }
  if (typeof e.variants !== 'object' || e.variants === null || Array.isArray(e.variants)) return false;
  for (const [key, raw] of Object.entries(e.variants as Record<string, unknown>)) {
    if (typeof raw !== 'object' || raw === null) return false;
    // biome-ignore lint/suspicious/noExplicitAny: a fast structural guard over untrusted JSON; every field read is checked right here
    const a = raw as Record<string, any>;
    if (a.schemaVersion !== 1 || a.variant !== key || key.length === 0) return false;
    if (a.modelVersion !== undefined && typeof a.modelVersion !== 'string') return false;
    if (
      !isCount(a.requests) ||
      !isCount(a.errors) ||
      !isCount(a.fallbacks) ||
      !isCount(a.timeouts) ||
      a.errors > a.requests
    )
      return false;
    if (!isTime(a.firstSeen) || !isTime(a.lastSeen)) return false;
    const f = a.feedback;
    if (typeof f !== 'object' || f === null) return false;
    for (const k of COUNT_FIELDS) if (!isCount(f[k])) return false;
    for (const k of NONNEG_FIELDS) if (!isNonNeg(f[k])) return false;
    if (
      !isFiniteNum(f.ratingSum) ||
      !isFiniteNum(f.errorSum) ||
      f.correctCount > f.correctTotal ||
      f.ratingCount > f.count
    )
      return false;
    const h = a.latency;
    if (typeof h !== 'object' || h === null || h.scheme !== 'log-gamma-v1') return false;
    if (!(h.relativeAccuracy > 0 && h.relativeAccuracy < 1) || !(isNonNeg(h.minValue) && h.minValue > 0)) return false;
    if (!isCount(h.count) || !isCount(h.zeroCount) || !isNonNeg(h.sum) || !isNonNeg(h.sumSq) || h.count > a.requests)
      return false;
    if (!(h.min === null || isNonNeg(h.min)) || !(h.max === null || isNonNeg(h.max))) return false;
    if (typeof h.bins !== 'object' || h.bins === null) return false;
    for (const k in h.bins) {
      const v = h.bins[k];
      if (!(Number.isInteger(v) && v > 0) || !/^\d+$/.test(k)) return false;
    }
    if (
      inconsistentSums(
        a as { feedback: Record<string, number>; latency: { count: number; sum: number; sumSq: number } },
      )
    )
      return false;
  }
  return true;
}

/** Validates unknown input as {@link ExperimentAggregates}; throws EvaluationError INVALID_AGGREGATES naming the field. */
export function parseExperimentAggregates(input: unknown): ExperimentAggregates {
  if (looksValid(input)) return input as ExperimentAggregates;
  return parseOrThrow(
    experimentAggregatesSchema,
    input,
    'parseExperimentAggregates',
    'aggregates',
    (m, o) => new EvaluationError('INVALID_AGGREGATES', m, o),
  ) as ExperimentAggregates;
}

/** A feedback metric the evaluator could not use because its sums are unusable (non-finite, negative counts, impossible moments). */
export interface UnusableFeedback {
  /** The variant whose sums are unusable. */
  variant: string;
  /** The feedback group: `'rating'`, `'accuracy'` (the `correct` counts) or `'error'` (the `actual` sums: MAE and RMSE). */
  group: 'rating' | 'accuracy' | 'error';
  /** The first unusable field, e.g. `'feedback.sqErrorSumSq'`. */
  field: string;
  /** Human text naming the variant, field and value. */
  message: string;
}

const GROUPS: ReadonlyArray<{
  group: UnusableFeedback['group'];
  counts: readonly string[];
  sums: readonly string[];
  nonNeg: readonly string[];
}> = [
  { group: 'rating', counts: ['ratingCount'], sums: ['ratingSum'], nonNeg: ['ratingSumSq'] },
  { group: 'accuracy', counts: ['correctCount', 'correctTotal'], sums: [], nonNeg: [] },
  {
    group: 'error',
    counts: ['actualCount'],
    sums: ['errorSum'],
    nonNeg: ['absErrorSum', 'sqErrorSum', 'sqErrorSumSq'],
  },
];

function badGroupField(f: Record<string, unknown>, g: (typeof GROUPS)[number]): string | undefined {
  for (const k of g.counts) if (!isCount(f[k])) return k;
  for (const k of g.sums) if (!isFiniteNum(f[k])) return k;
  for (const k of g.nonNeg) if (!isNonNeg(f[k])) return k;
  const n = f as Record<string, number>;
  if (g.group === 'rating') {
    if (isCount(n.count) && n.ratingCount! > n.count!) return 'ratingCount';
    if (impossibleMoments(n.ratingCount!, n.ratingSum!, n.ratingSumSq!)) return 'ratingSumSq';
  } else if (g.group === 'accuracy') {
    if (n.correctCount! > n.correctTotal!) return 'correctCount';
  } else {
    if (Math.abs(n.errorSum!) > n.absErrorSum! * (1 + 1e-9)) return 'absErrorSum';
    if (impossibleMoments(n.actualCount!, n.absErrorSum!, n.sqErrorSum!)) return 'sqErrorSum';
    if (impossibleMoments(n.actualCount!, n.sqErrorSum!, n.sqErrorSumSq!)) return 'sqErrorSumSq';
  }
  return undefined;
}

const ZERO: Readonly<Record<string, number>> = {
  ratingCount: 0,
  ratingSum: 0,
  ratingSumSq: 0,
  correctCount: 0,
  correctTotal: 0,
  actualCount: 0,
  errorSum: 0,
  absErrorSum: 0,
  sqErrorSum: 0,
  sqErrorSumSq: 0,
};

/**
 * Validates aggregates like {@link parseExperimentAggregates}, except that a feedback group whose
 * sums are unusable (a non-finite or negative sum, a bad count, sums no data could produce) does
 * not throw: the group is dropped (zeroed in a copy of that variant; the input is untouched) and
 * reported, so the guardrails and the sample-ratio check still run on the rest. Anything else
 * malformed (requests, errors, latency, names, times) still throws EvaluationError
 * `INVALID_AGGREGATES` naming the field.
 */
export function parseUsableAggregates(input: unknown): {
  aggregates: ExperimentAggregates;
  unusable: UnusableFeedback[];
} {
  if (looksValid(input)) return { aggregates: input as ExperimentAggregates, unusable: [] };
  const unusable: UnusableFeedback[] = [];
  let out = input;
  const e = input as { variants?: unknown };
  if (typeof input === 'object' && input !== null && typeof e.variants === 'object' && e.variants !== null) {
    let variants: Record<string, unknown> | undefined;
    for (const [key, raw] of Object.entries(e.variants as Record<string, unknown>)) {
      const f = (raw as { feedback?: unknown } | null)?.feedback;
      if (typeof f !== 'object' || f === null) continue;
      let fixed: Record<string, unknown> | undefined;
      for (const g of GROUPS) {
        const field = badGroupField(f as Record<string, unknown>, g);
        if (field === undefined) continue;
        const value = (f as Record<string, unknown>)[field];
        unusable.push({
          variant: key,
          group: g.group,
          field: `feedback.${field}`,
          message: `variant "${key}": feedback.${field} = ${String(value)} is unusable, so its ${g.group === 'error' ? 'MAE and RMSE are' : g.group === 'rating' ? 'rating is' : 'accuracy is'} left out`,
        });
        fixed ??= { ...(f as Record<string, unknown>) };
        for (const k of [...g.counts, ...g.sums, ...g.nonNeg]) fixed[k] = ZERO[k];
      }
      if (fixed) {
        variants ??= { ...(e.variants as Record<string, unknown>) };
        variants[key] = { ...(raw as object), feedback: fixed };
      }
    }
    if (variants) out = { ...(input as object), variants };
  }
  return { aggregates: parseExperimentAggregates(out), unusable };
}
