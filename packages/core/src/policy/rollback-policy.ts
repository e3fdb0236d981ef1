/**
 * The rollback policy: a pure function from an {@link Evaluation} and a {@link DecisionContext}
 * to a {@link Decision} (promote, rollback, ramp, continue or hold, with reasons and evidence).
 * Each decision carries a {@link DecisionRecord} with every input, so
 * {@link recomputeDecision} reproduces it later.
 */
import { EvaluationError } from '../errors.js';
import type { ExperimentAggregates } from '../outcomes/aggregates.js';
import { evaluateResolved, type Evaluation, type MetricComparison } from '../evaluate/evaluator.js';
import { resolveEvaluatorOptions, type ResolvedEvaluatorOptions } from '../evaluate/evaluator-options.js';
import {
  decisionContextSchema,
  resolvePolicyOptions,
  type DecisionContext,
  type ResolvedRollbackPolicyOptions,
  type RollbackPolicyOptions,
} from './policy-options.js';
import { parseOrThrow } from '../data/zod-parse.js';

/** What to do with the candidate. */
export type DecisionAction = 'promote' | 'rollback' | 'ramp' | 'continue' | 'hold';

/** Machine codes of decision reasons. */
export type DecisionReasonCode =
  | 'INSUFFICIENT_DATA'
  | 'MIN_SAMPLES'
  | 'MIN_DURATION'
  | 'SRM'
  | 'GUARDRAIL_ERROR_RATE'
  | 'GUARDRAIL_LATENCY_P99'
  | 'GUARDRAIL_SLOW_REQUESTS'
  | 'COMPOSITE_BETTER'
  | 'COMPOSITE_WORSE'
  | 'SAFE_TO_RAMP'
  | 'COOLDOWN'
  | 'INCONCLUSIVE'
  | 'MAX_DURATION'
  | 'OFFLINE_BETTER'
  | 'OFFLINE_WORSE'
  | 'OFFLINE_WITHIN_TOLERANCE';

/** One reason: a machine code and a human sentence. */
export interface DecisionReason {
  /** Machine code. */
  code: DecisionReasonCode;
  /** Human text with the figures behind it. */
  message: string;
}

/** Every input needed to recompute a decision. */
export interface DecisionRecord {
  /** Record format version. */
  schemaVersion: 1;
  /** The aggregates evaluated (a reference to the evaluated object; snapshot it before mutating). */
  aggregates: ExperimentAggregates;
  /** The evaluator options, defaults filled in. */
  evaluatorOptions: ResolvedEvaluatorOptions;
  /** The policy options, defaults filled in. */
  policyOptions: ResolvedRollbackPolicyOptions;
  /** The decision context. */
  context: DecisionContext;
}

/** A policy decision. */
export interface Decision {
  /** What to do. */
  action: DecisionAction;
  /** Why, most important first. */
  reasons: DecisionReason[];
  /** The figures the decision rests on. */
  evidence: Record<string, unknown>;
  /** Every input, for {@link recomputeDecision}; absent on offline-gate decisions. */
  record?: DecisionRecord;
}

/** A rollback policy with validated options. */
export interface RollbackPolicy {
  /** The resolved options. */
  readonly options: ResolvedRollbackPolicyOptions;
  /** Decides from an evaluation (pure: reads no clock; time comes from `context`). */
  decide(evaluation: Evaluation, context: DecisionContext): Decision;
}

const GUARDRAIL_CODES: Record<Evaluation['guardrails'][number]['name'], DecisionReasonCode> = {
  errorRate: 'GUARDRAIL_ERROR_RATE',
  latencyP99: 'GUARDRAIL_LATENCY_P99',
  slowRequests: 'GUARDRAIL_SLOW_REQUESTS',
};

function pct(x: number | null): string {
  return x === null ? 'n/a' : `${(x * 100).toFixed(1)} %`;
}
function num(x: number | null | undefined, d = 4): string {
  return x === null || x === undefined ? 'n/a' : (x >= 0 ? '+' : '') + x.toFixed(d);
}
function ciText(ci: [number, number] | null): string {
  return ci ? `[${ci[0].toFixed(4)}, ${ci[1].toFixed(4)}]` : 'n/a';
}

function compositeEvidence(c: MetricComparison): Record<string, unknown> {
  return {
    production: c.production,
    candidate: c.candidate,
    delta: c.delta,
    relativeDelta: c.relativeDelta,
    ci: c.ci,
    relativeCi: c.relativeCi,
    n: c.n,
  };
}

/** The decision logic, shared by {@link createRollbackPolicy} and {@link recomputeDecision}. */
function decideResolved(e: Evaluation, ctxIn: DecisionContext, o: ResolvedRollbackPolicyOptions): Decision {
  parseOrThrow(
    decisionContextSchema,
    ctxIn,
    'RollbackPolicy.decide',
    'decision context',
    (m, o) => new EvaluationError('INVALID_POLICY', m, o),
  );
  const ctx = ctxIn;
  const elapsed = ctx.now - ctx.startedAt;
  const c = e.composite;
  const evidence: Record<string, unknown> = {
    method: e.options.method,
    elapsedMs: elapsed,
    composite: compositeEvidence(c),
    guardrails: e.guardrails.map((g) => ({
      name: g.name,
      checked: g.checked,
      breached: g.breached,
      production: g.production,
      candidate: g.candidate,
      limit: g.limit,
    })),
    srm: e.srm && {
      mismatch: e.srm.mismatch,
      checked: e.srm.checked,
      observed: e.srm.observed,
      expected: e.srm.expected,
      pValue: e.srm.pValue,
      logBayesFactor: e.srm.logBayesFactor,
    },
    requests: {
      production: e.variants[e.production]?.requests ?? 0,
      candidate: e.variants[e.candidate]?.requests ?? 0,
    },
  };
  const record: DecisionRecord = {
    schemaVersion: 1,
    aggregates: e.aggregates,
    evaluatorOptions: e.options,
    policyOptions: o,
    context: { ...ctx },
  };
  const done = (action: DecisionAction, reasons: DecisionReason[]): Decision => ({ action, reasons, evidence, record });
  const pastMax = elapsed >= o.maxDurationMs;
  const waitOrHold = (reasons: DecisionReason[]): Decision =>
    pastMax
      ? done('hold', [
          ...reasons,
          {
            code: 'MAX_DURATION',
            message: `no verdict after the maximum duration of ${(o.maxDurationMs / 3_600_000).toFixed(1)} h: holding the current rollout`,
          },
        ])
      : done('continue', reasons);

  const pReq = e.variants[e.production]?.requests ?? 0;
  const cReq = e.variants[e.candidate]?.requests ?? 0;
  // Safety checks first: they do not wait for the minimum duration, the composite sample size or
  // a usable composite (a service without feedback, or with unusable feedback, is still guarded).
  if (pReq >= o.minGuardrailSamples && cReq >= o.minGuardrailSamples) {
    const reasons: DecisionReason[] = [];
    if (o.rollbackOnSrm && e.srm?.mismatch) {
      const obs = Object.entries(e.srm.observed)
        .map(([k, v]) => `${k} ${v}`)
        .join(' / ');
      const exp = Object.entries(e.srm.expected)
        .map(([k, v]) => `${k} ${v.toFixed(0)}`)
        .join(' / ');
      reasons.push({
        code: 'SRM',
        message: `sample-ratio mismatch: served ${obs}, expected ${exp} (χ² p = ${e.srm.pValue.toExponential(2)}, sequential log BF = ${e.srm.logBayesFactor.toFixed(2)}, flagged by ${e.srm.flaggedBy.join(' and ')})`,
      });
    }
    for (const g of e.guardrails) {
      if (g.breached) reasons.push({ code: GUARDRAIL_CODES[g.name], message: `guardrail breached: ${g.message}` });
    }
    if (reasons.length > 0) return done('rollback', reasons);
  }
  if (e.issues.length > 0) {
    return waitOrHold([
      { code: 'INSUFFICIENT_DATA', message: `insufficient data: ${e.issues.map((i) => i.message).join('; ')}` },
    ]);
  }
  const nP = c.n.production;
  const nC = c.n.candidate;
  const gates: DecisionReason[] = [];
  if (nP < o.minSamples || nC < o.minSamples) {
    gates.push({
      code: 'MIN_SAMPLES',
      message: `waiting for ${o.minSamples} composite samples per variant (production ${nP}, candidate ${nC})`,
    });
  }
  if (elapsed < o.minDurationMs) {
    gates.push({
      code: 'MIN_DURATION',
      message: `waiting for the minimum duration of ${(o.minDurationMs / 60_000).toFixed(0)} min (elapsed ${(elapsed / 60_000).toFixed(1)} min)`,
    });
  }
  if (gates.length > 0) return waitOrHold(gates);
  if (c.delta === null || c.ci === null || c.relativeDelta === null) {
    return waitOrHold([
      { code: 'INSUFFICIENT_DATA', message: 'insufficient data: the composite delta has no confidence interval yet' },
    ]);
  }
  const summary = `composite ${c.production!.toFixed(4)} → ${c.candidate!.toFixed(4)} (delta ${num(c.delta)}, ${pct(c.relativeDelta)}, ${e.options.method} ${((1 - e.options.alpha) * 100).toFixed(0)} % CI ${ciText(c.ci)})`;
  const worse =
    o.promoteRule === 'bound'
      ? c.relativeCi !== null && c.relativeCi[1] < -o.rollbackThreshold
      : c.relativeDelta <= -o.rollbackThreshold && c.ci[1] < 0;
  if (worse) {
    return done('rollback', [
      {
        code: 'COMPOSITE_WORSE',
        message: `candidate worse by more than ${pct(o.rollbackThreshold)} with confidence: ${summary}`,
      },
    ]);
  }
  const better =
    o.promoteRule === 'bound' ? c.ci[0] >= o.promoteThreshold : c.delta >= o.promoteThreshold && c.ci[0] > 0;
  const cooling = ctx.lastDecisionAt !== undefined && ctx.now - ctx.lastDecisionAt < o.cooldownMs;
  const cooldownReason = (): DecisionReason => ({
    code: 'COOLDOWN',
    message: `in cool-down until ${new Date(ctx.lastDecisionAt! + o.cooldownMs).toISOString()}`,
  });
  if (better) {
    const reason: DecisionReason = {
      code: 'COMPOSITE_BETTER',
      message: `candidate better by at least the ${num(o.promoteThreshold, 2)} threshold with confidence: ${summary}`,
    };
    return cooling ? done('continue', [cooldownReason(), reason]) : done('promote', [reason]);
  }
  const step = ctx.rampStep ?? 0;
  const notMuchWorse = c.relativeCi !== null && c.relativeCi[0] > -o.rollbackThreshold;
  if (o.rampSteps.length > 0 && step < o.rampSteps.length - 1 && notMuchWorse && !cooling) {
    evidence.nextWeight = o.rampSteps[step + 1];
    evidence.nextRampStep = step + 1;
    return done('ramp', [
      {
        code: 'SAFE_TO_RAMP',
        message: `candidate not worse than ${pct(-o.rollbackThreshold)} with confidence and no guardrail breached: ramping to ${pct(o.rampSteps[step + 1]!)} (${summary})`,
      },
    ]);
  }
  const why: DecisionReason = {
    code: 'INCONCLUSIVE',
    message: `inconclusive: ${summary}; promote needs delta ≥ ${num(o.promoteThreshold, 2)} with the lower bound above 0, rollback needs ≤ −${pct(o.rollbackThreshold)} with the upper bound below 0`,
  };
  return waitOrHold(cooling && o.rampSteps.length > 0 ? [why, cooldownReason()] : [why]);
}

/**
 * Creates a rollback policy; options are validated now (EvaluationError INVALID_POLICY naming the
 * field). Defaults: promote at +0.05 composite, roll back at −20 %, 100 samples per variant and 10
 * minutes before a composite verdict, 20 requests per variant before a guardrail or SRM rollback,
 * hold after 7 days, 1 hour cool-down, no ramping.
 *
 * @example
 * ```ts
 * const policy = createRollbackPolicy({ rampSteps: [0.05, 0.2, 0.5] });
 * const decision = policy.decide(evaluate(aggregates), { startedAt, now: Date.now() });
 * if (decision.action === 'rollback') await registry.rollbackCandidate('iris', { reason: decision.reasons[0]?.message ?? 'rollback' });
 * ```
 */
export function createRollbackPolicy(options: RollbackPolicyOptions = {}): RollbackPolicy {
  const o = resolvePolicyOptions(options);
  return { options: o, decide: (evaluation, context) => decideResolved(evaluation, context, o) };
}

/** The decision record format versions {@link recomputeDecision} reads. */
export const DECISION_RECORD_SCHEMA_VERSION = 1 as const;

function recordError(field: string, message: string): never {
  throw new EvaluationError('INVALID_POLICY', `recomputeDecision: ${field}: ${message}`, {
    operation: 'recomputeDecision',
    details: { field },
  });
}

function describe(x: unknown): string {
  return x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x;
}

/** The first path of `resolved` (a defined value) that `given` lacks, e.g. `guardrails.errorRate.alpha`. */
function missingPath(given: unknown, resolved: unknown, path: string): string | undefined {
  if (typeof resolved !== 'object' || resolved === null || Array.isArray(resolved)) return undefined;
  for (const [k, v] of Object.entries(resolved)) {
    if (v === undefined) continue;
    const g = (given as Record<string, unknown>)[k];
    const here = `${path}.${k}`;
    if (g === undefined) return here;
    const deeper = missingPath(g, v, here);
    if (deeper) return deeper;
  }
  return undefined;
}

/**
 * Recomputes a decision from its record (re-evaluates the aggregates, re-applies the policy). The
 * record must be complete: a record of another schema version, or one whose evaluator or policy
 * options lack a field, throws EvaluationError `INVALID_POLICY` naming the field. No default is
 * ever filled in, because this build's defaults need not be the ones the decision was taken with.
 */
export function recomputeDecision(record: DecisionRecord): Decision {
  if (typeof record !== 'object' || record === null || Array.isArray(record))
    recordError('record', `expected a decision record, got ${describe(record)}`);
  const r = record as unknown as Record<string, unknown>;
  if (r.schemaVersion !== DECISION_RECORD_SCHEMA_VERSION)
    recordError(
      'schemaVersion',
      r.schemaVersion === undefined
        ? `missing (expected ${DECISION_RECORD_SCHEMA_VERSION})`
        : `unsupported decision record schema version ${String(r.schemaVersion)} (this build reads ${DECISION_RECORD_SCHEMA_VERSION})`,
    );
  for (const field of ['aggregates', 'evaluatorOptions', 'policyOptions', 'context'] as const) {
    const v = r[field];
    if (v === undefined)
      recordError(field, 'missing: a decision record carries every input, and none is filled in when recomputing');
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      recordError(field, `expected an object, got ${describe(v)}`);
  }
  const eo = resolveEvaluatorOptions(record.evaluatorOptions);
  const po = resolvePolicyOptions(record.policyOptions);
  for (const [name, given, resolved] of [
    ['evaluatorOptions', record.evaluatorOptions, eo],
    ['policyOptions', record.policyOptions, po],
  ] as const) {
    const missing = missingPath(given, resolved, name);
    if (missing)
      recordError(
        missing,
        'missing from the record: a decision record carries its options with every default filled in, and defaults are never filled in when recomputing',
      );
  }
  return decideResolved(evaluateResolved(record.aggregates, eo), record.context, po);
}
