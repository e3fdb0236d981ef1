/**
 * The controller's contracts: the clock, lifecycle events, the notifier and the job runner. Every
 * part of the controller (and every plugin: a BullMQ runner, a Slack notifier) is written against
 * these types.
 */

/** Epoch milliseconds now. Injected everywhere, so a test moves time by hand. */
export type Clock = () => number;

/** The lifecycle events the controller emits and notifies, named in the past tense. */
export type ControllerEventType =
  | 'candidate.registered'
  | 'gate.passed'
  | 'gate.failed'
  | 'rollout.deployed'
  | 'rollout.started'
  | 'rollout.ramped'
  | 'rollout.promoted'
  | 'rollout.rolledBack'
  | 'rollout.held'
  | 'approval.requested'
  | 'approval.granted'
  | 'approval.rejected'
  | 'drift.detected'
  | 'retraining.started'
  | 'retraining.succeeded'
  | 'retraining.failed'
  | 'lease.acquired'
  | 'lease.lost';

/** One lifecycle event. */
export interface ControllerEvent {
  /** A unique id (the `webhook-id` of its deliveries: receivers de-duplicate on it). */
  id: string;
  /** What happened. */
  type: ControllerEventType;
  /** The model it concerns (`''` for controller-wide events such as the lease). */
  model: string;
  /** When (epoch milliseconds, from the controller's clock). */
  at: number;
  /** One human sentence with the figures behind it. */
  message: string;
  /** The event's data (versions, decision reasons, job id…): JSON only. */
  data: Record<string, unknown>;
}

/** Receives lifecycle events (webhooks, Slack, a log…). A notifier never throws into the controller. */
export interface Notifier {
  /** Delivers (or queues) one event; resolves when it was handed over or given up on. */
  notify(event: ControllerEvent): Promise<void>;
  /** Waits for queued deliveries and releases resources. */
  close?(): Promise<void>;
}

/** Status of a training job. */
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** Why a job was started. */
export type JobTrigger = 'schedule' | 'drift' | 'degradation' | 'manual';

/** A training job's record (stored in the registry's store, so every replica sees it). */
export interface JobRecord {
  /** The job id. */
  id: string;
  /** The model the job trains a version of. */
  model: string;
  /** What started it. */
  trigger: JobTrigger;
  /** The job's status. */
  status: JobStatus;
  /** The training spec it runs (data, see {@link TrainingSpec}). */
  spec: TrainingSpec;
  /** A key that makes submission idempotent: a second submit with the same key returns the first job. */
  idempotencyKey?: string;
  /** Progress in [0, 1]. */
  progress: number;
  /** The last log lines (the newest last; bounded). */
  logs: string[];
  /** Attempts made so far (1 on the first run). */
  attempts: number;
  /** Attempts allowed in all (retries = maxAttempts − 1). */
  maxAttempts: number;
  /** When it was submitted (epoch ms). */
  createdAt: number;
  /** When the current attempt started. */
  startedAt?: number;
  /** When it ended. */
  finishedAt?: number;
  /** Wall time of the last attempt, in ms. */
  durationMs?: number;
  /** Earliest time the next attempt may start (backoff), when waiting for a retry. */
  notBefore?: number;
  /** The model version it registered, when it succeeded. */
  version?: number;
  /** Why it failed or was cancelled. */
  error?: string;
  /** The id of the runner process that owns the running attempt. */
  runnerId?: string;
  /** When the owning runner last showed it is alive (epoch ms); a stale heartbeat marks the job's runner dead. */
  heartbeatAt?: number;
  /** The record's revision (+1 on every write). */
  revision: number;
}

/** Options of {@link JobRunner.submit}. */
export interface SubmitOptions {
  /** What started it; default `'manual'`. */
  trigger?: JobTrigger;
  /** Idempotency key: a job with the same key (and model) is returned instead of a new one. */
  idempotencyKey?: string;
  /** Attempts in all; default the runner's (3). */
  maxAttempts?: number;
}

/**
 * Runs training jobs. The embedded runner trains in a worker thread of this process; a
 * distributed runner (BullMQ…) implements the same interface. A job that succeeds registers a
 * new version of its model in the registry (tagged `job: <id>`), which the controller then
 * picks up as a candidate.
 */
export interface JobRunner {
  /** Queues a job for `spec.model`; resolves with its record. */
  submit(spec: TrainingSpec, options?: SubmitOptions): Promise<JobRecord>;
  /** One job, or `undefined`. */
  get(id: string): Promise<JobRecord | undefined>;
  /** Jobs, newest first, optionally of one model and/or status. */
  list(query?: { model?: string; status?: JobStatus; limit?: number }): Promise<JobRecord[]>;
  /** Cancels a queued or running job (a running one is stopped); resolves with its record. */
  cancel(id: string, reason?: string): Promise<JobRecord>;
  /** Stops taking work, stops running jobs (they are marked failed, retryable) and releases resources. */
  close(): Promise<void>;
}

/** Where a training spec reads its data. */
export type DataSource =
  | {
      /** A CSV file. */
      kind: 'csv';
      /** Its path. */
      path: string;
    }
  | {
      /** One of `@modelship/datasets`' loaders. */
      kind: 'dataset';
      /** `'california'`, `'bangalore'` or `'iris'`. */
      name: 'california' | 'bangalore' | 'iris';
      /** The folder with the shared data sets (default `MODELSHIP_DATA_DIR`). */
      dataDir?: string;
    };

/**
 * A training job as data (JSON or YAML): what to train, on which data, with which variants, how
 * to choose and what the offline gate demands. Validated by `trainingSpecSchema`.
 */
export interface TrainingSpec {
  /** The model name the version is registered under. */
  model: string;
  /** The data. */
  data: DataSource;
  /** The dataset name and version recorded as lineage (optional). */
  dataset?: { name: string; version?: number };
  /** `'regression'` or `'classification'`. */
  task: 'regression' | 'classification';
  /** The target column. */
  target: string;
  /** The feature pipeline spec (as `createTrainer`'s `features`). */
  features: Record<string, unknown>;
  /** The input schema (as core's `Schema`), with ranges and rules; default derived from the data. */
  schema?: Record<string, unknown>;
  /** Named learner variants. */
  variants: Record<string, { learner: string; params?: Record<string, unknown> }>;
  /** The metric that picks the best variant (default r2 / accuracy). */
  selectBy?: string;
  /** How variants are evaluated (as `createTrainer`'s `evaluation`). */
  evaluation?: Record<string, unknown>;
  /** Seed; default 42. */
  seed?: number;
  /** The offline gate the controller applies to the new version: metric, tolerance. */
  gate?: { metric: string; tolerance?: number };
  /** Attach a drift reference profile of these columns (and the prediction) to the artifact; default every input column. */
  profileColumns?: string[];
}
