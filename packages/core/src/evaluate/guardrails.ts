/**
 * One-sided guardrail tests, valid under continuous monitoring (mixture SPRTs, see
 * `sequential.ts`).
 *
 * - **Error rate.** Conditional on the total number of errors `k`, under the null "candidate
 *   error rate ≤ production's × (1 + τ)" each error falls on the candidate with probability at
 *   most `π0 = n_c (1 + τ) / (n_c (1 + τ) + n_p)` (request counts `n_c`, `n_p`). The candidate's
 *   share `x` of the errors is tested against `π0` with a Beta(1, 1) mixture SPRT; the guardrail is
 *   breached when the likelihood ratio reaches `1/α` and `x/k > π0`. This compares against the
 *   live baseline (not a static threshold) and is powerful for rare errors: with a 20 % split and
 *   no production errors, 3 candidate errors already breach at the default α = 0.05 (likelihood
 *   ratio 31 ≥ 20), 4 at α = 0.01 (125 ≥ 100).
 * - **p99 latency.** With `T = production p99 × (1 + τ)`, under the null "candidate p99 ≤ T" at
 *   most 1 % of candidate latencies exceed `T`; the count above `T` is tested against 1 % with a
 *   Beta(1, 1) mixture SPRT. Production's p99 is treated as known once it has
 *   `minProductionSamples` latencies (an approximation; τ absorbs its noise).
 */
import type { VariantAggregates } from '../outcomes/aggregates.js';
import { histogramCountAbove } from '../outcomes/latency-histogram.js';
import type { ResolvedEvaluatorOptions } from './evaluator-options.js';
import type { VariantEstimates } from './estimates.js';
import { betaBinomialLogLR } from './sequential.js';

/** Result of one guardrail test. */
export interface GuardrailResult {
  /** Which guardrail. */
  name: 'errorRate' | 'latencyP99';
  /** Whether it ran (enabled and enough data). */
  checked: boolean;
  /** True when the candidate breached it with confidence. */
  breached: boolean;
  /** Production value (error rate, or p99 ms). */
  production: number | null;
  /** Candidate value (error rate, or p99 ms). */
  candidate: number | null;
  /** The limit the candidate is held to (error rate × (1 + τ), or p99 × (1 + τ)). */
  limit: number | null;
  /** Log likelihood ratio of the mixture SPRT. */
  logLikelihoodRatio: number;
  /** Rejection threshold `ln(1/α)`. */
  threshold: number;
  /** Human-readable summary. */
  message: string;
}

function fin(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Runs the enabled guardrails of `o` on production `p` and candidate `c`. */
export function evaluateGuardrails(
  p: VariantAggregates,
  c: VariantAggregates,
  pe: VariantEstimates,
  ce: VariantEstimates,
  o: ResolvedEvaluatorOptions,
): GuardrailResult[] {
  const out: GuardrailResult[] = [];
  const er = o.guardrails.errorRate;
  if (er.enabled) {
    const threshold = Math.log(1 / er.alpha);
    const k = p.errors + c.errors;
    const checked = p.requests > 0 && c.requests > 0;
    let llr = 0;
    let breached = false;
    if (checked && k > 0) {
      const w = c.requests * (1 + er.relativeTolerance);
      const pi0 = w / (w + p.requests);
      llr = betaBinomialLogLR(c.errors, k, pi0);
      breached = c.errors / k > pi0 && llr >= threshold;
    }
    const prodRate = pe.errorRate.value;
    const candRate = ce.errorRate.value;
    out.push({
      name: 'errorRate',
      checked,
      breached,
      production: fin(prodRate),
      candidate: fin(candRate),
      limit: fin(prodRate * (1 + er.relativeTolerance)),
      logLikelihoodRatio: llr,
      threshold,
      message: breached
        ? `candidate error rate ${(candRate * 100).toFixed(2)} % exceeds production's ${(prodRate * 100).toFixed(2)} % × ${1 + er.relativeTolerance} (likelihood ratio ${Math.exp(llr).toPrecision(3)} ≥ ${(1 / er.alpha).toPrecision(3)})`
        : checked
          ? `error rate within bounds (candidate ${(candRate * 100).toFixed(2)} %, production ${(prodRate * 100).toFixed(2)} %)`
          : 'error rate not checked: a variant has no requests',
    });
  }
  const lt = o.guardrails.latencyP99;
  if (lt.enabled) {
    const threshold = Math.log(1 / lt.alpha);
    const checked = p.latency.count >= lt.minProductionSamples && c.latency.count > 0;
    const prodP99 = pe.latencyP99.value;
    const limit = prodP99 * (1 + lt.relativeTolerance);
    let llr = 0;
    let breached = false;
    if (checked) {
      const x = histogramCountAbove(c.latency, limit);
      const n = c.latency.count;
      llr = betaBinomialLogLR(x, n, 0.01);
      breached = x / n > 0.01 && llr >= threshold;
    }
    out.push({
      name: 'latencyP99',
      checked,
      breached,
      production: fin(prodP99),
      candidate: fin(ce.latencyP99.value),
      limit: fin(limit),
      logLikelihoodRatio: llr,
      threshold,
      message: breached
        ? `candidate p99 latency exceeds production's ${prodP99.toFixed(1)} ms × ${1 + lt.relativeTolerance} (more than 1 % of candidate requests above ${limit.toFixed(1)} ms with confidence)`
        : checked
          ? 'p99 latency within bounds'
          : `p99 latency not checked: production needs ${lt.minProductionSamples} latencies (has ${p.latency.count})`,
    });
  }
  return out;
}
