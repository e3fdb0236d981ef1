/**
 * One-sided guardrail tests, valid under continuous monitoring (mixture SPRTs, see
 * `sequential.ts`): each is a non-negative martingale under its null, so by Ville's inequality the
 * chance that it EVER breaches an identical candidate is at most its `alpha`, however often the
 * evaluator is called.
 *
 * - **Error rate.** Conditional on the total number of errors `k`, under the null "candidate
 *   error rate ≤ production's × (1 + τ)" each error falls on the candidate with probability at
 *   most `π0 = n_c (1 + τ) / (n_c (1 + τ) + n_p)` (request counts `n_c`, `n_p`). The candidate's
 *   share `x` of the errors is tested against `π0` with a Beta(2, 1) mixture SPRT; the guardrail is
 *   breached when the likelihood ratio reaches `1/α` and `x/k > π0`. The Beta(2, 1) mixing
 *   distribution leans towards large shares: a guardrail is there to stop a candidate much worse
 *   than production fast (small differences are the composite's job), and any fixed mixture keeps
 *   the α bound. This compares against the live baseline (not a static threshold) and is powerful
 *   for rare errors: with a 20 % split, 4 candidate errors against none in production breach at
 *   the default α = 0.01 (likelihood ratio 208 ≥ 100), 5 against one (139).
 * - **Slow requests.** The same test on the requests slower than an absolute limit (default 1 s)
 *   instead of the errors: the candidate's share of the slow requests against `π0`. It is
 *   two-sample, so a heavy tail that production has too never breaches it.
 * - **p99 latency.** The limit is `T = max(P (1 + τ), P + minIncrease)`, where `P` is production's
 *   p99 at its upper confidence bound (the histogram quantile at rank `n (0.99 + 3 sqrt(0.99 · 0.01 / n))`,
 *   three standard deviations of the rank above the p99's, so that a noisy production p99 does not
 *   lower the limit); under the null "candidate p99 ≤ T" at most 1 % of candidate latencies exceed
 *   `T`, and the count above `T` is tested against 1 % with a Beta(1, 1) mixture SPRT. The candidate
 *   must be worse by both the ratio and the absolute floor.
 */
import type { VariantAggregates } from '../outcomes/aggregates.js';
import { histogramCountAbove, histogramQuantile } from '../outcomes/latency-histogram.js';
import type { ResolvedEvaluatorOptions } from './evaluator-options.js';
import type { VariantEstimates } from './estimates.js';
import { betaBinomialLogLR } from './sequential.js';

/** Result of one guardrail test. */
export interface GuardrailResult {
  /** Which guardrail. */
  name: 'errorRate' | 'latencyP99' | 'slowRequests';
  /** Whether it ran (enabled and enough data). */
  checked: boolean;
  /** True when the candidate breached it with confidence. */
  breached: boolean;
  /** Production value (error rate, p99 ms, or share of slow requests). */
  production: number | null;
  /** Candidate value (error rate, p99 ms, or share of slow requests). */
  candidate: number | null;
  /** The limit the candidate is held to (error rate × (1 + τ); the p99 limit in ms; slow share × (1 + τ)). */
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

/** A latency in ms with four significant digits (µs below 1 ms), e.g. `0.0061 ms` → `6.100 µs`. */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return 'n/a';
  return Math.abs(ms) < 1 && ms !== 0 ? `${(ms * 1000).toPrecision(4)} µs` : `${ms.toPrecision(4)} ms`;
}

function pct(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toPrecision(3)} %` : 'n/a';
}

/** The two-sample share test behind the error-rate and slow-request guardrails. */
function shareTest(
  xc: number,
  nc: number,
  xp: number,
  np: number,
  tolerance: number,
): { llr: number; excess: boolean; checked: boolean } {
  const k = xc + xp;
  const checked = nc > 0 && np > 0;
  if (!checked || k === 0) return { llr: 0, excess: false, checked };
  const w = nc * (1 + tolerance);
  const pi0 = w / (w + np);
  return { llr: betaBinomialLogLR(xc, k, pi0, 2, 1), excess: xc / k > pi0, checked };
}

/** Production's p99 at its upper confidence bound (see the module doc). */
function p99UpperBound(p: VariantAggregates): number {
  const n = p.latency.count;
  const q = Math.min(1, 0.99 + 3 * Math.sqrt((0.99 * 0.01) / n));
  return histogramQuantile(p.latency, q);
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
    const t = shareTest(c.errors, c.requests, p.errors, p.requests, er.relativeTolerance);
    const breached = t.excess && t.llr >= threshold;
    const prodRate = pe.errorRate.value;
    const candRate = ce.errorRate.value;
    out.push({
      name: 'errorRate',
      checked: t.checked,
      breached,
      production: fin(prodRate),
      candidate: fin(candRate),
      limit: fin(prodRate * (1 + er.relativeTolerance)),
      logLikelihoodRatio: t.llr,
      threshold,
      message: breached
        ? `candidate error rate ${pct(candRate)} (${c.errors} of ${c.requests}) exceeds production's ${pct(prodRate)} (${p.errors} of ${p.requests}) × ${1 + er.relativeTolerance} (likelihood ratio ${Math.exp(t.llr).toPrecision(3)} ≥ ${(1 / er.alpha).toPrecision(3)})`
        : t.checked
          ? `error rate within bounds (candidate ${pct(candRate)}, production ${pct(prodRate)})`
          : 'error rate not checked: a variant has no requests',
    });
  }
  const lt = o.guardrails.latencyP99;
  if (lt.enabled) {
    const threshold = Math.log(1 / lt.alpha);
    const checked = p.latency.count >= lt.minProductionSamples && c.latency.count > 0;
    const prodP99 = pe.latencyP99.value;
    const bound = checked ? p99UpperBound(p) : prodP99;
    const limit = Math.max(bound * (1 + lt.relativeTolerance), bound + lt.minIncreaseMs);
    let llr = 0;
    let breached = false;
    let x = 0;
    const n = c.latency.count;
    if (checked) {
      x = histogramCountAbove(c.latency, limit);
      llr = betaBinomialLogLR(x, n, 0.01);
      breached = x / n > 0.01 && llr >= threshold;
    }
    const candP99 = ce.latencyP99.value;
    out.push({
      name: 'latencyP99',
      checked,
      breached,
      production: fin(prodP99),
      candidate: fin(candP99),
      limit: checked ? fin(limit) : null,
      logLikelihoodRatio: llr,
      threshold,
      message: breached
        ? `candidate p99 latency ${formatMs(candP99)} exceeds production's ${formatMs(prodP99)} (upper bound ${formatMs(bound)}) × ${1 + lt.relativeTolerance} and + ${lt.minIncreaseMs} ms: ${x} of ${n} candidate requests (${pct(x / n)}, more than 1 % with confidence) slower than ${formatMs(limit)}`
        : checked
          ? `p99 latency within bounds (candidate ${formatMs(candP99)}, production ${formatMs(prodP99)}, limit ${formatMs(limit)})`
          : `p99 latency not checked: production needs ${lt.minProductionSamples} latencies (has ${p.latency.count})`,
    });
  }
  const sr = o.guardrails.slowRequests;
  if (sr.enabled) {
    const threshold = Math.log(1 / sr.alpha);
    const xc = c.latency.count > 0 ? histogramCountAbove(c.latency, sr.thresholdMs) : 0;
    const xp = p.latency.count > 0 ? histogramCountAbove(p.latency, sr.thresholdMs) : 0;
    const t = shareTest(xc, c.latency.count, xp, p.latency.count, sr.relativeTolerance);
    const breached = t.excess && t.llr >= threshold;
    const cs = xc / c.latency.count;
    const ps = xp / p.latency.count;
    out.push({
      name: 'slowRequests',
      checked: t.checked,
      breached,
      production: fin(ps),
      candidate: fin(cs),
      limit: fin(ps * (1 + sr.relativeTolerance)),
      logLikelihoodRatio: t.llr,
      threshold,
      message: breached
        ? `candidate requests slower than ${formatMs(sr.thresholdMs)}: ${pct(cs)} (${xc} of ${c.latency.count}) against production's ${pct(ps)} (${xp} of ${p.latency.count}) × ${1 + sr.relativeTolerance} (likelihood ratio ${Math.exp(t.llr).toPrecision(3)} ≥ ${(1 / sr.alpha).toPrecision(3)})`
        : t.checked
          ? `slow requests within bounds (above ${formatMs(sr.thresholdMs)}: candidate ${pct(cs)}, production ${pct(ps)})`
          : 'slow requests not checked: a variant has no latencies',
    });
  }
  return out;
}
