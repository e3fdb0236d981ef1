/**
 * `@modelship/core/evaluate`: the evaluator — per-variant estimates, the composite score and its
 * delta with an always-valid confidence interval, the sample-ratio check and the guardrails.
 *
 * @module @modelship/core/evaluate
 */
export { evaluate, createEvaluator } from './evaluator.js';
export type { Evaluation, Evaluator, MetricComparison, EvaluationIssue } from './evaluator.js';
export { DEFAULT_COMPOSITE, evaluatorOptionsSchema, resolveEvaluatorOptions } from './evaluator-options.js';
export type { EvaluatorOptions, ResolvedEvaluatorOptions, CompositeComponent } from './evaluator-options.js';
export { METRIC_NAMES, HIGHER_IS_BETTER, estimateMetric } from './estimates.js';
export type { MetricName, Estimate, VariantSummary, VariantEstimates } from './estimates.js';
export { sequentialZ, fixedZ, mixtureRho2, betaBinomialLogLR, sampleRatioMismatch } from './sequential.js';
export type { SrmResult, SrmOptions } from './sequential.js';
export type { GuardrailResult } from './guardrails.js';
