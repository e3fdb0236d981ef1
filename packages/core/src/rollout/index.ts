/**
 * `@modelship/core/rollout`: the rollout of a model (which versions serve, with which weights,
 * in which mode) as stored in the registry, and the ramp schedule of a stepped rollout.
 *
 * @module @modelship/core/rollout
 */
export { rolloutSchema } from './rollout.js';
export type { Rollout, RolloutRecord, DeploymentEntry, DeploymentAction } from './rollout.js';
export { DEFAULT_RAMP_STEPS } from './deployment.js';
export { createRampSchedule } from './ramp-schedule.js';
export type { RampSchedule, RampScheduleOptions } from './ramp-schedule.js';
export { planRollout } from './plan-rollout.js';
export type { RolloutPlanInput, RolloutPlan } from './plan-rollout.js';
