/**
 * The messages between a BullMQ worker and its training thread.
 *
 * @internal
 */
import type { JobTrigger, TrainedModel, TrainingSpec } from '@modelship/controller';

/** The thread's `workerData`. */
export interface ThreadInput {
  spec: TrainingSpec;
  jobId: string;
  trigger: JobTrigger;
}

/** What the thread posts. */
export type ThreadMessage =
  | { type: 'progress'; fraction: number }
  | { type: 'log'; line: string }
  | { type: 'done'; trained: TrainedModel }
  | { type: 'error'; message: string; name?: string; code?: string };
