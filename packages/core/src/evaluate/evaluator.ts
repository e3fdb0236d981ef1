/**
 * The evaluator: a pure function from {@link ExperimentAggregates} to an {@link Evaluation}
 * (per-variant metrics, the composite score, candidate-vs-production deltas with confidence
 * intervals, the sample-ratio-mismatch check and the guardrails).
 */
import { EvaluationError } from '../errors.js';
import { emptyAggregates, type ExperimentAggregates, type VariantAggregates } from '../outcomes/aggregates.js';
import { parseUsableAggregates, type UnusableFeedback } from '../outcomes/aggregates-schema.js';
import {
  estimateAll,
  HIGHER_IS_BETTER,
  METRIC_NAMES,
  summariseVariant,
  type Estimate,
  type MetricName,
  type VariantEstimates,
  type VariantSummary,
} from './estimates.js';
import {
  DEFAULT_COMPOSITE,
  resolveEvaluatorOptions,
  type CompositeComponent,
  type EvaluatorOptions,
  type ResolvedEvaluatorOptions,
} from './evaluator-options.js';
import { fixedZ, sampleRatioMismatch, sequentialZ, type SrmResult } from './sequential.js';
import { evaluateGuardrails, type GuardrailResult } from './guardrails.js';

/** Candidate minus production for one metric, with confidence intervals (`null` when unavailable). */
export interface MetricComparison {
  /** Metric name, or `'composite'`. */
  metric: MetricName | 'composite';
  /** Whether larger is better. */
  higherIsBetter: boolean;
  /** Production value. */
  production: number | null;
  /** Candidate value. */
  candidate: number | null;
  /** Candidate − production. */
  delta: number | null;
  /** (Candidate − production) / production. */
  relativeDelta: number | null;
  /** Standard error of `delta`. */
  standardError: number | null;
  /** Confidence interval of `delta` at the evaluator's `alpha` (always-valid when `method` is sequential). */
  ci: [number, number] | null;
  /** Confidence interval of `relativeDelta` (delta method). */
  relativeCi: [number, number] | null;
  /** Samples behind the production and candidate values. */
  n: {
    /** Samples behind the production value. */
    production: number;
    /** Samples behind the candidate value. */
    candidate: number;
  };
  /** `'better'` / `'worse'` when the interval excludes zero, else `'inconclusive'`; `'insufficient'` without variance. */
  verdict: 'better' | 'worse' | 'inconclusive' | 'insufficient';
}

/** A data problem that makes the evaluation unable to judge (never a reason to promote or roll back). */
export interface EvaluationIssue {
  /** Machine code. */
  code: 'MISSING_VARIANT' | 'NO_TRAFFIC' | 'NO_COMPOSITE' | 'UNUSABLE_METRIC';
  /** Human text. */
  message: string;
}

/** The result of {@link evaluate}; carries its inputs so it can be recomputed. */
export interface Evaluation {
  /** Evaluation format version. */
  schemaVersion: 1;
  /** Production variant name. */
  production: string;
  /** Candidate variant name. */
  candidate: string;
  /** Per-variant summaries (every variant in the aggregates, plus missing production/candidate as empty). */
  variants: Record<string, VariantSummary>;
  /** Candidate-vs-production comparison of every metric. */
  comparisons: Record<MetricName, MetricComparison>;
  /** Candidate-vs-production comparison of the composite score. */
  composite: MetricComparison;
  /** The composite's components as used (resolved from the feedback present when `composite` is `'auto'`); empty when there is none. */
  compositeComponents: CompositeComponent[];
  /**
   * Feedback metrics left out because their sums are unusable (non-finite, negative, impossible);
   * the guardrails and the SRM check still ran on the rest. A composite that needs one of them is
   * not computed (the `UNUSABLE_METRIC` issue).
   */
  unusable: UnusableFeedback[];
  /** Sample-ratio-mismatch check, `null` when no configured split is known. */
  srm: SrmResult | null;
  /** Guardrail tests. */
  guardrails: GuardrailResult[];
  /** Data problems; non-empty means "insufficient data". */
  issues: EvaluationIssue[];
  /** The aggregates evaluated (as given, not copied). */
  aggregates: ExperimentAggregates;
  /** The options used, defaults filled in. */
  options: ResolvedEvaluatorOptions;
}

function fin(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function compare(
  metric: MetricName | 'composite',
  higherIsBetter: boolean,
  p: Estimate,
  c: Estimate,
  o: ResolvedEvaluatorOptions,
  nOverride?: number,
): MetricComparison {
  const delta = c.value - p.value;
  const variance = c.variance + p.variance;
  const nTotal = nOverride ?? p.n + c.n;
  const z = o.method === 'sequential' ? sequentialZ(nTotal, o.alpha, o.nStar) : fixedZ(o.alpha);
  const se = Math.sqrt(variance);
  const ok = Number.isFinite(delta) && Number.isFinite(se);
  const rel = p.value !== 0 ? delta / Math.abs(p.value) : Number.NaN;
  const relSe =
    p.value !== 0
      ? Math.sqrt(c.variance / (p.value * p.value) + (c.value * c.value * p.variance) / p.value ** 4)
      : Number.NaN;
  const ci: [number, number] | null = ok ? [delta - z * se, delta + z * se] : null;
  const relOk = ok && Number.isFinite(rel) && Number.isFinite(relSe);
  let verdict: MetricComparison['verdict'] = 'insufficient';
  if (ci) {
    const up = higherIsBetter ? ci[0] > 0 : ci[1] < 0;
    const down = higherIsBetter ? ci[1] < 0 : ci[0] > 0;
    verdict = up ? 'better' : down ? 'worse' : 'inconclusive';
  }
  return {
    metric,
    higherIsBetter,
    production: fin(p.value),
    candidate: fin(c.value),
    delta: fin(delta),
    relativeDelta: fin(rel),
    standardError: ok ? se : null,
    ci,
    relativeCi: relOk ? [rel - z * relSe, rel + z * relSe] : null,
    n: { production: p.n, candidate: c.n },
    verdict,
  };
}

const NO_ESTIMATE: Estimate = { value: Number.NaN, variance: Infinity, n: 0 };

const GROUP_METRICS: Record<UnusableFeedback['group'], MetricName[]> = {
  rating: ['rating'],
  accuracy: ['accuracy'],
  error: ['mae', 'rmse'],
};

/**
 * The composite's components: the configured ones, or with `'auto'` those of the feedback both
 * variants have (see `EvaluatorOptions.composite`). A kind of feedback counts as present in a
 * variant when it has samples or was left out as unusable (so that an unusable metric blocks the
 * composite rather than silently changing it).
 */
function resolveComposite(
  p: VariantAggregates,
  c: VariantAggregates,
  pe: VariantEstimates,
  unusable: readonly UnusableFeedback[],
  o: ResolvedEvaluatorOptions,
): CompositeComponent[] {
  if (o.composite !== 'auto') return o.composite;
  const lost = (a: VariantAggregates, g: UnusableFeedback['group']) =>
    unusable.some((u) => u.variant === a.variant && u.group === g);
  const both = (count: (a: VariantAggregates) => number, g: UnusableFeedback['group']) =>
    (count(p) > 0 || lost(p, g)) && (count(c) > 0 || lost(c, g));
  const latency = p.latency.count > 0 && c.latency.count > 0;
  const quality = latency ? 0.7 : 1;
  const withLatency = (comps: CompositeComponent[]): CompositeComponent[] =>
    latency ? [...comps, { metric: 'latencyMean', weight: 0.3, from: 5000, to: 0 }] : comps;
  if (both((a) => a.feedback.ratingCount, 'rating'))
    return latency ? DEFAULT_COMPOSITE.map((x) => ({ ...x })) : [{ metric: 'rating', weight: 1, from: 0, to: 5 }];
  const parts: Array<Omit<CompositeComponent, 'weight'>> = [];
  if (both((a) => a.feedback.actualCount, 'error')) {
    const ref = o.errorReference ?? pe.mae.value;
    // A production without error gives no scale to score against; the candidate cannot beat it.
    if (ref > 0 && Number.isFinite(ref)) parts.push({ metric: 'mae', from: 2 * ref, to: 0 });
    // Production's error unusable: the component is kept (unscored) so that UNUSABLE_METRIC blocks the composite.
    else if (lost(p, 'error')) parts.push({ metric: 'mae', from: 1, to: 0 });
  }
  if (both((a) => a.feedback.correctTotal, 'accuracy')) parts.push({ metric: 'accuracy', from: 0, to: 1 });
  if (parts.length === 0) return [];
  return withLatency(parts.map((x) => ({ ...x, weight: quality / parts.length })));
}

/** The composite score of one variant and its variance (delta method; components independent). */
function compositeEstimate(
  est: VariantEstimates,
  comps: readonly CompositeComponent[],
): { value: number; slopes: number[] } {
  let value = 0;
  const slopes: number[] = [];
  for (const comp of comps) {
    const m = est[comp.metric].value;
    const s = (m - comp.from) / (comp.to - comp.from);
    value += comp.weight * Math.min(1, Math.max(0, s));
    slopes.push(s > 0 && s < 1 ? comp.weight / (comp.to - comp.from) : 0);
  }
  return { value, slopes };
}

function compositeComparison(
  p: VariantEstimates,
  c: VariantEstimates,
  comps: readonly CompositeComponent[],
  o: ResolvedEvaluatorOptions,
): MetricComparison {
  if (comps.length === 0) return compare('composite', true, NO_ESTIMATE, NO_ESTIMATE, o);
  const cp = compositeEstimate(p, comps);
  const cc = compositeEstimate(c, comps);
  let vp = 0;
  let vc = 0;
  let nMin = Infinity;
  let np = Infinity;
  let nc = Infinity;
  comps.forEach((comp, i) => {
    // A clamped component contributes no variance on that side; use the other side's slope so a
    // component clamped on one side only still counts (conservative).
    const slope = Math.max(Math.abs(cp.slopes[i]!), Math.abs(cc.slopes[i]!));
    vp += slope * slope * p[comp.metric].variance;
    vc += slope * slope * c[comp.metric].variance;
    np = Math.min(np, p[comp.metric].n);
    nc = Math.min(nc, c[comp.metric].n);
    nMin = Math.min(nMin, p[comp.metric].n + c[comp.metric].n);
  });
  return compare(
    'composite',
    true,
    { value: cp.value, variance: vp, n: np },
    { value: cc.value, variance: vc, n: nc },
    o,
    nMin,
  );
}

/**
 * Evaluates experiment aggregates: a pure function (same inputs, same evaluation). Throws
 * EvaluationError INVALID_AGGREGATES for malformed aggregates (negative or non-integer request
 * counts, a NaN latency sum, errors above requests…); a feedback metric whose sums are unusable
 * (e.g. non-finite) is left out and reported in `unusable` while the guardrails and the SRM check
 * still run; a missing variant or zero traffic is not an error but an {@link EvaluationIssue}
 * ("insufficient data").
 *
 * @example
 * ```ts
 * const evaluation = evaluate(aggregates, { production: 'prod', candidate: 'cand', weights: { prod: 80, cand: 20 } });
 * evaluation.composite.delta; // candidate − production composite score
 * ```
 */
export function evaluate(
  aggregates: ExperimentAggregates,
  options: EvaluatorOptions | ResolvedEvaluatorOptions = {},
): Evaluation {
  const o = resolveEvaluatorOptions(options);
  return evaluateResolved(aggregates, o);
}

/** {@link evaluate} with already-resolved options (skips option validation; aggregates are still validated). */
export function evaluateResolved(aggregates: ExperimentAggregates, o: ResolvedEvaluatorOptions): Evaluation {
  if (aggregates === null || typeof aggregates !== 'object') {
    throw new EvaluationError(
      'INVALID_AGGREGATES',
      `aggregates: expected an object, received ${aggregates === null ? 'null' : typeof aggregates}`,
      { operation: 'evaluate' },
    );
  }
  const { aggregates: usable, unusable } = parseUsableAggregates(aggregates);
  const issues: EvaluationIssue[] = [];
  const get = (name: string): VariantAggregates => {
    const v = usable.variants[name];
    if (v) return v;
    issues.push({ code: 'MISSING_VARIANT', message: `no aggregates for variant "${name}"` });
    return emptyAggregates(name, {
      relativeAccuracy:
        aggregates.variants[o.production]?.latency.relativeAccuracy ??
        aggregates.variants[o.candidate]?.latency.relativeAccuracy ??
        0.01,
    });
  };
  const pAgg = get(o.production);
  const cAgg = get(o.candidate);
  for (const a of [pAgg, cAgg]) {
    if (a.requests === 0 && usable.variants[a.variant])
      issues.push({ code: 'NO_TRAFFIC', message: `variant "${a.variant}" received no requests` });
  }
  const variants: Record<string, VariantSummary> = {};
  const estimates: Record<string, VariantEstimates> = {};
  const names = [...new Set([o.production, o.candidate, ...Object.keys(usable.variants)])];
  for (const name of names) {
    const agg = name === o.production ? pAgg : name === o.candidate ? cAgg : usable.variants[name]!;
    estimates[name] = estimateAll(agg);
  }
  const pe = estimates[o.production]!;
  const ce = estimates[o.candidate]!;
  const comps = resolveComposite(pAgg, cAgg, pe, unusable, o);
  const blocked = unusable.filter(
    (u) =>
      (u.variant === o.production || u.variant === o.candidate) &&
      comps.some((x) => GROUP_METRICS[u.group].includes(x.metric)),
  );
  for (const name of names) {
    const agg = name === o.production ? pAgg : name === o.candidate ? cAgg : usable.variants[name]!;
    const summary = summariseVariant(agg, estimates[name]!);
    const mine = unusable.some(
      (u) => u.variant === name && comps.some((x) => GROUP_METRICS[u.group].includes(x.metric)),
    );
    summary.composite = comps.length > 0 && !mine ? fin(compositeEstimate(estimates[name]!, comps).value) : null;
    variants[name] = summary;
  }
  const comparisons = {} as Record<MetricName, MetricComparison>;
  for (const m of METRIC_NAMES) comparisons[m] = compare(m, HIGHER_IS_BETTER[m], pe[m], ce[m], o);
  const composite = blocked.length > 0 ? compositeComparison(pe, ce, [], o) : compositeComparison(pe, ce, comps, o);
  if (blocked.length > 0) {
    issues.push({
      code: 'UNUSABLE_METRIC',
      message: `the composite needs metrics whose sums are unusable: ${blocked.map((u) => u.message).join('; ')}`,
    });
  } else if (composite.delta === null && issues.length === 0) {
    issues.push({
      code: 'NO_COMPOSITE',
      message:
        comps.length === 0
          ? 'no composite: neither variant pair has ratings, actual values or correct flags in common (give feedback, or set `composite`)'
          : `the composite score needs ${comps.map((c) => c.metric).join(', ')} for both variants`,
    });
  }
  const weights = o.weights ?? usable.weights;
  let srm: SrmResult | null = null;
  if (weights) {
    const observed: Record<string, number> = {};
    for (const name of Object.keys(weights)) observed[name] = usable.variants[name]?.requests ?? 0;
    srm = sampleRatioMismatch(observed, weights, o.srm);
  }
  const guardrails = evaluateGuardrails(pAgg, cAgg, pe, ce, o);
  return {
    schemaVersion: 1,
    production: o.production,
    candidate: o.candidate,
    variants,
    comparisons,
    composite,
    compositeComponents: blocked.length > 0 ? [] : comps,
    unusable,
    srm,
    guardrails,
    issues,
    aggregates,
    options: o,
  };
}

/** A reusable evaluator with validated options. */
export interface Evaluator {
  /** The resolved options. */
  readonly options: ResolvedEvaluatorOptions;
  /** Evaluates aggregates (pure). */
  evaluate(aggregates: ExperimentAggregates): Evaluation;
}

/**
 * Creates an evaluator; options are validated now (EvaluationError INVALID_POLICY naming the field).
 *
 * @example
 * ```ts
 * const evaluator = createEvaluator({ production: 'v1', candidate: 'v2', weights: { v1: 0.8, v2: 0.2 } });
 * const evaluation = evaluator.evaluate(await router.aggregates());
 * ```
 */
export function createEvaluator(options: EvaluatorOptions = {}): Evaluator {
  const o = resolveEvaluatorOptions(options);
  return { options: o, evaluate: (aggregates) => evaluateResolved(aggregates, o) };
}
