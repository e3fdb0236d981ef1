/**
 * Distributed training jobs for the modelship controller on BullMQ (Redis):
 * {@link createBullmqJobRunner} queues jobs and reads them back (the controller's `JobRunner`),
 * {@link createBullmqWorker} trains them in other processes or machines and registers exactly
 * one version per job.
 *
 * @packageDocumentation
 */
export { createBullmqJobRunner, BullmqJobRunner } from './runner.js';
export type { BullmqJobRunnerOptions, BullmqJobRunnerEvents } from './runner.js';
export { createBullmqWorker, BullmqWorker } from './worker.js';
export type { BullmqWorkerOptions, BullmqWorkerEvents } from './worker.js';
export { JobQueueError } from './errors.js';
export type { JobQueueErrorCode } from './errors.js';
