/**
 * The messages between the embedded job runner (main thread) and its training worker.
 *
 * @internal
 */
import type { JobTrigger, TrainingSpec } from '../types.js';
import type { TrainedModel, TrainingProgress } from './run-training.js';

/** What the runner passes to a worker as `workerData`. */
export interface WorkerInput {
  /** The spec to train. */
  spec: TrainingSpec;
  /** The job id (stored in the artifact's tags). */
  jobId: string;
  /** What started the job. */
  trigger: JobTrigger;
}

/** What a worker posts to the runner. */
export type WorkerMessage =
  | { type: 'progress'; progress: TrainingProgress }
  | { type: 'log'; line: string }
  | { type: 'done'; trained: TrainedModel }
  | { type: 'error'; message: string; name?: string; code?: string };
