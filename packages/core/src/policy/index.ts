/**
 * `@modelship/core/policy`: the rollback policy (promote, roll back, ramp, continue or hold, with
 * reasons; decisions replayable from their records), and the offline gate (rollout planning is in `@modelship/core/rollout`).
 *
 * @module @modelship/core/policy
 */
export { createRollbackPolicy, recomputeDecision, DECISION_RECORD_SCHEMA_VERSION } from './rollback-policy.js';
export type {
  RollbackPolicy,
  Decision,
  DecisionAction,
  DecisionReason,
  DecisionReasonCode,
  DecisionRecord,
} from './rollback-policy.js';
export { rollbackPolicyOptionsSchema, decisionContextSchema, resolvePolicyOptions } from './policy-options.js';
export type { RollbackPolicyOptions, ResolvedRollbackPolicyOptions, DecisionContext } from './policy-options.js';
export { compareOffline } from './offline-gate.js';
export type { OfflineComparison, OfflineMetrics } from './offline-gate.js';
export { metricDirection } from './metric-direction.js';
export type { MetricDirection } from './metric-direction.js';
