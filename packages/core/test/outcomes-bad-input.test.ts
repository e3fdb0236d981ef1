import { describe, expect, it } from 'vitest';
import { isModelshipError } from '../src/errors.js';
import {
  emptyAggregates,
  recordFeedback,
  recordPrediction,
  type ExperimentAggregates,
  type FeedbackOutcome,
  type PredictionOutcome,
  type VariantAggregates,
} from '../src/outcomes/aggregates.js';
import { evaluate } from '../src/evaluate/evaluator.js';
import { emptyHistogram, recordLatency, recordLatencyN } from '../src/outcomes/latency-histogram.js';
import { expectInvalid } from '../../../test-support/expect-error.js';

describe('recordPrediction / recordFeedback on bad input', () => {
  it('name a missing aggregate or event instead of crashing, and leave the aggregate untouched', () => {
    const agg = emptyAggregates('candidate');
    expectInvalid(
      () => recordPrediction(null as unknown as VariantAggregates, {}),
      /recordPrediction: agg: expected variant aggregates/,
    );
    expectInvalid(
      () => recordPrediction(agg, null as unknown as PredictionOutcome),
      /recordPrediction: outcome: expected an object/,
    );
    expectInvalid(
      () => recordFeedback(agg, null as unknown as FeedbackOutcome),
      /recordFeedback: feedback: expected an object/,
    );
    expect(agg.requests).toBe(0);
    expect(agg.feedback.count).toBe(0);
  });

  it('refuse a latency given as a string (which would turn the sum into text)', () => {
    const agg = emptyAggregates('candidate');
    expectInvalid(
      () => recordPrediction(agg, { latencyMs: '5' as unknown as number }),
      /latencyMs: expected a finite number ≥ 0/,
    );
    expect(agg.latency.sum).toBe(0);
    expect(agg.requests).toBe(0);
  });

  it('refuse a latency so large its square overflows the running sums', () => {
    const agg = emptyAggregates('candidate');
    expectInvalid(
      () => recordPrediction(agg, { latencyMs: 1e300 }),
      /latencyMs: expected a finite number ≥ 0 and ≤ 1e12/,
    );
    expect(Number.isFinite(agg.latency.sumSq)).toBe(true);
  });

  it('refuse an event time that is not a finite number', () => {
    const agg = emptyAggregates('candidate');
    expectInvalid(
      () => recordPrediction(agg, { at: 'x' as unknown as number }),
      /recordPrediction: at: expected a finite epoch time in ms, received x/,
    );
    expectInvalid(
      () => recordFeedback(agg, { rating: 4, at: Number.NaN }),
      /recordFeedback: at: expected a finite epoch time in ms, received NaN/,
    );
    expect(agg.firstSeen).toBeNull();
  });

  it('refuse a correctness flag that is not a boolean instead of counting it as correct', () => {
    const agg = emptyAggregates('candidate');
    expectInvalid(
      () => recordFeedback(agg, { correct: 'yes' as unknown as boolean }),
      /correct: expected a boolean, received yes/,
    );
    expect(agg.feedback.correctCount).toBe(0);
  });

  it('emptyAggregates names a variant that is not a non-empty string', () => {
    expectInvalid(
      () => emptyAggregates(null as unknown as string),
      /emptyAggregates: variant: expected a non-empty string, received null/,
    );
    expectInvalid(() => emptyAggregates(''), /emptyAggregates: variant: expected a non-empty string/);
  });
});

describe('recordLatencyN on bad counts', () => {
  it('refuses a count that is not a non-negative integer', () => {
    const h = emptyHistogram();
    expectInvalid(
      () => recordLatencyN(h, 5, Number.NaN),
      /recordLatencyN: n: expected a non-negative integer, received NaN/,
    );
    expectInvalid(() => recordLatencyN(h, 5, -3), /received -3/);
    expect(h.count).toBe(0);
    recordLatencyN(h, 5, 0);
    expect(h.count).toBe(0);
    recordLatencyN(h, 5, 3);
    recordLatency(h, 7);
    expect(h.count).toBe(4);
    expect(h.sum).toBe(22);
  });
});

describe('aggregates whose sums cannot come from any data', () => {
  function experiment(): ExperimentAggregates {
    const production = emptyAggregates('production');
    const candidate = emptyAggregates('candidate');
    for (let i = 0; i < 50; i++) {
      recordPrediction(production, { latencyMs: 200 + i, at: 1 });
      recordFeedback(production, { rating: 3 + (i % 3), at: 1 });
      recordPrediction(candidate, { latencyMs: 210 + i, at: 1 });
      recordFeedback(candidate, { rating: 2 + (i % 4), actual: 10, predicted: 10 + (i % 5), at: 1 });
    }
    return { schemaVersion: 1, variants: { production, candidate }, since: 0, until: 1 };
  }

  function expectAggregatesError(e: ExperimentAggregates, field: RegExp): void {
    let thrown: unknown;
    try {
      evaluate(e);
    } catch (err) {
      thrown = err;
    }
    expect(isModelshipError(thrown, 'EvaluationError', 'INVALID_AGGREGATES'), String(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(field);
  }

  it('accepts consistent aggregates', () => {
    expect(evaluate(experiment()).comparisons.rating.n).toEqual({ production: 50, candidate: 50 });
  });

  function expectUnusable(e: ExperimentAggregates, variant: string, field: string, group: string): void {
    const ev = evaluate(e);
    expect(ev.unusable.map((u) => [u.variant, u.field, u.group])).toEqual([[variant, field, group]]);
    expect(ev.unusable[0]!.message).toContain(`variant "${variant}": ${field}`);
  }

  it('leaves out a feedback metric whose sum of squares is below sum² / n (a negative variance would shrink every interval)', () => {
    const e = experiment();
    e.variants.candidate!.feedback.ratingSumSq = 0;
    expectUnusable(e, 'candidate', 'feedback.ratingSumSq', 'rating');
    const ev = evaluate(e);
    expect(ev.composite.delta).toBeNull();
    expect(ev.issues.map((i) => i.code)).toEqual(['UNUSABLE_METRIC']);
    expect(ev.issues[0]!.message).toMatch(/feedback\.ratingSumSq = 0 is unusable/);
  });

  it('leaves out feedback sums without any counted value and inconsistent error sums; rejects inconsistent latency sums', () => {
    const e1 = experiment();
    e1.variants.production!.feedback.ratingCount = 0;
    e1.variants.production!.feedback.count = 50;
    expectUnusable(e1, 'production', 'feedback.ratingSumSq', 'rating');
    const e2 = experiment();
    e2.variants.candidate!.feedback.sqErrorSum = 1;
    expectUnusable(e2, 'candidate', 'feedback.sqErrorSum', 'error');
    expect(evaluate(e2).variants.candidate!.mae).toBeNull();
    const e3 = experiment();
    e3.variants.candidate!.latency.sumSq = 1;
    expectAggregatesError(e3, /variants\.candidate\.latency\.sumSq/);
  });
});
