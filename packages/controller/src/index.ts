/**
 * `@modelship/controller`: the lifecycle controller — rollouts that run themselves (offline
 * gate, shadow, canary ramp, promote or roll back on live outcomes), approvals, retraining on a
 * schedule, on drift or on degradation, notifications, and one leader among replicas.
 *
 * @packageDocumentation
 */
export { createController, Controller, stateOf } from './controller.js';
export type {
  ModelState,
  Phase,
  DecisionLogEntry,
  ApprovalRecord,
  AlertRecord,
  ControllerEvents,
} from './controller.js';
export type { ControllerOptions, ModelConfig, ApprovalRule, OutcomeSource } from './options.js';
export { DEFAULT_DRIFT_RULES, driftReasons } from './triggers.js';
export type { DriftRules } from './triggers.js';
export { Lease } from './lease.js';
export type { LeaseRecord, LeaseState, ControllerLease } from './lease.js';
export { ControllerError } from './errors.js';
export type { ControllerErrorCode } from './errors.js';
export { controllerKeys } from './store-json.js';
export type {
  Clock,
  ControllerEvent,
  ControllerEventType,
  Notifier,
  JobRunner,
  JobRecord,
  JobStatus,
  JobTrigger,
  SubmitOptions,
  TrainingSpec,
  DataSource,
} from './types.js';
export {
  trainingSpecSchema,
  parseTrainingSpec,
  validateTrainingSpec,
  runTraining,
  trainFromSpec,
  registerTrained,
  createEmbeddedJobRunner,
  EmbeddedJobRunner,
  createSchedule,
  Schedule,
} from './jobs/index.js';
export type {
  TrainingProgress,
  TrainFromSpecOptions,
  TrainedModel,
  RegisterTrainedOptions,
  RegisteredTraining,
  RunTrainingOptions,
  EmbeddedJobRunnerOptions,
  EmbeddedJobRunnerEvents,
  EmbeddedJobRecord,
  BackoffOptions,
  ScheduleOptions,
} from './jobs/index.js';
export {
  createWebhookNotifier,
  WebhookNotifier,
  toWebhookPayload,
  formatSlackMessage,
  SLACK_LIMITS,
  signWebhook,
  webhookSignatureHeaders,
  decodeWebhookSecret,
} from './notify/index.js';
export type {
  WebhookNotifierOptions,
  WebhookEndpoint,
  WebhookFormat,
  BackoffOptions as WebhookBackoffOptions,
  DeliveryRecord,
  DeliveryAttempt,
  DeliveryState,
  DeliveryQuery,
  WebhookPayload,
  SlackMessage,
  SlackText,
  SlackHeaderBlock,
  SlackSectionBlock,
  SlackContextBlock,
  WebhookSignatureHeaders,
} from './notify/index.js';
