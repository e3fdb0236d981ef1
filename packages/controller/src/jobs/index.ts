/**
 * Training jobs of the controller: the training spec (schema and parser), the training run
 * itself, the embedded job runner (worker threads, a queue in the registry's store, retries,
 * idempotency) and cron schedules.
 *
 * @module
 */
export { trainingSpecSchema, parseTrainingSpec, validateTrainingSpec } from './spec.js';
export { runTraining, trainFromSpec, registerTrained } from './run-training.js';
export type {
  TrainingProgress,
  TrainFromSpecOptions,
  TrainedModel,
  RegisterTrainedOptions,
  RegisteredTraining,
  RunTrainingOptions,
} from './run-training.js';
export { createEmbeddedJobRunner, EmbeddedJobRunner } from './embedded-runner.js';
export type {
  EmbeddedJobRunnerOptions,
  EmbeddedJobRunnerEvents,
  EmbeddedJobRecord,
  BackoffOptions,
} from './embedded-runner.js';
export { createSchedule, Schedule } from './schedule.js';
export type { ScheduleOptions } from './schedule.js';
