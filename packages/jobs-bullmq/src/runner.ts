/**
 * The controller side of the BullMQ job runner: queues training jobs in Redis and reads their
 * state, progress and logs back as `JobRecord`s; workers in other processes run them.
 */
import { randomUUID } from 'node:crypto';
import type { JobRecord, JobRunner, JobStatus, SubmitOptions, TrainingSpec } from '@modelship/controller';
import { validateTrainingSpec } from '@modelship/controller';
import { childLogger, SafeEmitter, type Logger, type ModelRegistry } from '@modelship/core';
import { type ConnectionOptions, Queue } from 'bullmq';
import { z } from 'zod';
import { JobQueueError } from './errors.js';
import {
  type CancelMark,
  clip,
  connectionSchema,
  invalid,
  type JobData,
  type JobResult,
  KeysClient,
  keysOf,
  loggerSchema,
  prefixSchema,
  queueNameSchema,
  type RedisConnection,
  redisOptions,
  registrySchema,
  withTimeout,
} from './shared.js';

/** Options of {@link createBullmqJobRunner}. */
export interface BullmqJobRunnerOptions {
  /**
   * Where Redis is (the same for the runner and every worker): a `redis://` / `rediss://` URL, or
   * ioredis-style options (`host`, `port`, `username`, `password`, `db`, `tls`).
   */
  connection: RedisConnection;
  /** The BullMQ queue name (the same for the runner and its workers). */
  queue: string;
  /**
   * The registry the workers register versions in. The runner itself only checks it is one;
   * it is an option so that runner and workers are configured alike.
   */
  registry: ModelRegistry;
  /** BullMQ's key prefix; default `'bull'`. */
  prefix?: string;
  /** Attempts per job in all (a submit's own `maxAttempts` wins); default 3. */
  maxAttempts?: number;
  /** Exponential backoff between attempts; default `{ initialMs: 5000, factor: 2, maxMs: 300_000 }`. */
  backoff?: { initialMs?: number; factor?: number; maxMs?: number };
  /** Log lines kept per job (the newest); default 200. */
  maxLogLines?: number;
  /** Finished jobs kept in Redis (BullMQ's `removeOnComplete` / `removeOnFail` count); default 1,000 each. */
  keepFinished?: number;
  /** How long a Redis call may take before it is `UNAVAILABLE`, in ms; default 5,000. */
  timeoutMs?: number;
  /** Epoch milliseconds now, for job ids and cancellation times; default `Date.now`. */
  clock?: () => number;
  /** A pino-compatible logger; default silent. */
  logger?: Logger;
}

/** Events of a {@link BullmqJobRunner}, each emitted after the write in Redis. */
export interface BullmqJobRunnerEvents {
  /** A job was queued (not emitted when an idempotency key returned an existing job). */
  jobQueued: (e: { job: JobRecord }) => void;
  /** A job was cancelled by this runner. */
  jobCancelled: (e: { job: JobRecord }) => void;
}

const posInt = z.number().int().positive();
const optionsSchema = z.strictObject({
  connection: connectionSchema,
  queue: queueNameSchema,
  registry: registrySchema,
  prefix: prefixSchema.optional(),
  maxAttempts: posInt.max(100).optional(),
  backoff: z
    .strictObject({
      initialMs: z.number().min(0).optional(),
      factor: z.number().min(1).optional(),
      maxMs: z.number().min(0).optional(),
    })
    .optional(),
  maxLogLines: posInt.max(100_000).optional(),
  keepFinished: posInt.optional(),
  timeoutMs: posInt.optional(),
  clock: z.custom<() => number>((v) => typeof v === 'function', 'expected a function').optional(),
  logger: loggerSchema.optional(),
});

const submitSchema = z.strictObject({
  trigger: z.enum(['schedule', 'drift', 'degradation', 'manual']).optional(),
  idempotencyKey: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,200}$/, 'expected 1-200 letters, digits, _ . -')
    .optional(),
  maxAttempts: posInt.max(100).optional(),
});

const listSchema = z.strictObject({
  model: z.string().min(1).optional(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']).optional(),
  limit: posInt.optional(),
});

const TERMINAL: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled']);
const STATES = ['waiting', 'delayed', 'prioritized', 'waiting-children', 'active', 'completed', 'failed'] as const;

let lastIdTime = 0;
let idSeq = 0;
/** A job id that sorts by submission time (as the embedded runner's). */
function newJobId(now: number): string {
  idSeq = now === lastIdTime ? idSeq + 1 : 0;
  lastIdTime = now;
  return `job-${now.toString(36).padStart(9, '0')}-${idSeq.toString(36).padStart(3, '0')}-${randomUUID().slice(0, 8)}`;
}

/** The BullMQ job fields the record is built from. */
interface BullJobView {
  id?: string | undefined;
  data: JobData;
  opts: { attempts?: number };
  progress: unknown;
  timestamp: number;
  processedOn?: number | undefined;
  finishedOn?: number | undefined;
  attemptsMade?: number;
  attemptsStarted?: number;
  failedReason?: string;
  returnvalue?: JobResult | null;
  processedBy?: string | undefined;
  delay?: number;
}

/** Maps a BullMQ job (its state and logs) to a `JobRecord`. */
function toRecord(job: BullJobView, state: string, logs: string[]): JobRecord {
  const status: JobStatus =
    state === 'completed' ? 'succeeded' : state === 'failed' ? 'failed' : state === 'active' ? 'running' : 'queued';
  const d = job.data;
  const finished = status === 'succeeded' || status === 'failed';
  const result = status === 'succeeded' ? (job.returnvalue ?? undefined) : undefined;
  const progress = status === 'succeeded' ? 1 : typeof job.progress === 'number' ? job.progress : 0;
  const startedAt = job.processedOn ?? undefined;
  return {
    id: String(job.id),
    model: d.model,
    trigger: d.trigger,
    status,
    spec: d.spec,
    ...(d.idempotencyKey !== undefined ? { idempotencyKey: d.idempotencyKey } : {}),
    progress,
    logs,
    attempts: job.attemptsStarted ?? job.attemptsMade ?? 0,
    maxAttempts: job.opts.attempts ?? 1,
    createdAt: job.timestamp,
    ...(startedAt !== undefined ? { startedAt } : {}),
    ...(finished && job.finishedOn !== undefined ? { finishedAt: job.finishedOn } : {}),
    ...(finished && job.finishedOn !== undefined && startedAt !== undefined
      ? { durationMs: job.finishedOn - startedAt }
      : {}),
    ...(state === 'delayed' && job.delay ? { notBefore: (job.finishedOn ?? job.timestamp) + job.delay } : {}),
    ...(result ? { version: result.version } : {}),
    ...(status !== 'succeeded' && job.failedReason ? { error: job.failedReason } : {}),
    ...(job.processedBy ? { runnerId: job.processedBy } : {}),
    revision: 1 + (job.attemptsStarted ?? 0) + (job.attemptsMade ?? 0) + logs.length + (finished ? 1 : 0),
  };
}

/**
 * The controller side of a BullMQ job queue (see {@link createBullmqJobRunner}): implements the
 * controller's `JobRunner`. Jobs are BullMQ jobs (id, spec, retries with backoff, progress, logs),
 * trained by {@link BullmqWorker}s in any process that reaches the same Redis; a cancelled job's
 * final record is kept beside the queue.
 */
export class BullmqJobRunner extends SafeEmitter<BullmqJobRunnerEvents> implements JobRunner {
  readonly #queue: Queue;
  readonly #keys: ReturnType<typeof keysOf>;
  readonly #client: KeysClient;
  readonly #log: Logger;
  readonly #maxAttempts: number;
  readonly #backoff: JobData['backoff'];
  readonly #maxLogLines: number;
  readonly #keep: number;
  readonly #timeoutMs: number;
  readonly #clock: () => number;
  #closed = false;

  /** Use {@link createBullmqJobRunner}. */
  constructor(options: BullmqJobRunnerOptions) {
    const r = optionsSchema.safeParse(options);
    if (!r.success) throw invalid('createBullmqJobRunner', r.error);
    const log = childLogger(options.logger, { component: 'bullmq-job-runner' });
    super(log);
    this.#log = log;
    const prefix = options.prefix ?? 'bull';
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#queue = new Queue(options.queue, {
      connection: {
        ...redisOptions(options.connection),
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
      } as ConnectionOptions,
      prefix,
    });
    this.#queue.on('error', (err) => this.#log.debug({ err }, 'queue connection error'));
    this.#keys = keysOf(prefix, options.queue);
    this.#client = new KeysClient(options.connection, this.#timeoutMs);
    this.#maxAttempts = options.maxAttempts ?? 3;
    this.#backoff = { initialMs: 5_000, factor: 2, maxMs: 300_000, ...options.backoff };
    this.#maxLogLines = options.maxLogLines ?? 200;
    this.#keep = options.keepFinished ?? 1_000;
    this.#clock = options.clock ?? Date.now;
  }

  /**
   * Queues a job training `spec` (validated: `ControllerError('INVALID_OPTIONS')` naming the
   * field). With an `idempotencyKey`, the key is claimed for the model (`SET NX`): a second submit
   * with the same key resolves with the first job and queues nothing. Redis down or too slow:
   * `JobQueueError('UNAVAILABLE')`, and nothing was queued.
   */
  async submit(spec: TrainingSpec, options: SubmitOptions = {}): Promise<JobRecord> {
    const op = 'BullmqJobRunner.submit';
    this.#assertOpen(op);
    const s = validateTrainingSpec(spec, op);
    const o = submitSchema.safeParse(options);
    if (!o.success) throw invalid(op, o.error, 'options');
    const now = this.#clock();
    let id = newJobId(now);
    if (options.idempotencyKey !== undefined) {
      const key = this.#keys.idempotency(s.model, options.idempotencyKey);
      const claimed = await this.#client.run(op, async (redis) => {
        const ok = await redis.set(key, id, 'NX');
        return ok === 'OK' ? id : await redis.get(key);
      });
      if (claimed && claimed !== id) {
        id = claimed;
        const existing = await this.get(id);
        if (existing) return existing;
        // the first submitter claimed the key but did not queue the job (it crashed): queue it
      }
    } else {
      await this.#client.run(op, (redis) => redis.ping());
    }
    const data: JobData = {
      spec: s,
      model: s.model,
      trigger: options.trigger ?? 'manual',
      ...(options.idempotencyKey !== undefined ? { idempotencyKey: options.idempotencyKey } : {}),
      backoff: this.#backoff,
    };
    const job = await withTimeout(op, this.#timeoutMs, () =>
      this.#queue.add(s.model, data, {
        jobId: id,
        attempts: options.maxAttempts ?? this.#maxAttempts,
        backoff: { type: 'modelship' },
        keepLogs: this.#maxLogLines,
        removeOnComplete: this.#keep,
        removeOnFail: this.#keep,
      }),
    );
    const record = toRecord(job as unknown as BullJobView, 'waiting', []);
    this.#log.info({ job: id, model: s.model, trigger: data.trigger }, 'job queued');
    this.emitSafely('jobQueued', { job: record });
    return record;
  }

  /** One job's record, or `undefined` (unknown, or removed after `keepFinished` newer ones). */
  async get(id: string): Promise<JobRecord | undefined> {
    const op = 'BullmqJobRunner.get';
    const mark = await this.#client.run(op, (redis) => redis.hget(this.#keys.cancelled, id));
    if (mark) return (JSON.parse(mark) as CancelMark).record;
    return withTimeout(op, this.#timeoutMs, async () => {
      // the state first, then the job: a job seen finished (its hash and its state change in one
      // script) whose state was read before is read again, so a record never says `succeeded`
      // without its version
      let state: string = await this.#queue.getJobState(id);
      const job = (await this.#queue.getJob(id)) as unknown as BullJobView | undefined;
      if (!job) return undefined;
      if (job.finishedOn !== undefined && state !== 'completed' && state !== 'failed') {
        state = await this.#queue.getJobState(id);
      }
      if (state === 'unknown') return undefined;
      return toRecord(job, state, await this.#logs(id));
    });
  }

  /** Jobs, newest first, optionally of one model and/or status, at most `limit`. */
  async list(query: { model?: string; status?: JobStatus; limit?: number } = {}): Promise<JobRecord[]> {
    const op = 'BullmqJobRunner.list';
    const q = listSchema.safeParse(query);
    if (!q.success) throw invalid(op, q.error, 'query');
    const marks = await this.#client.run(op, (redis) => redis.hgetall(this.#keys.cancelled));
    const byId = new Map<string, JobRecord>();
    for (const [id, m] of Object.entries(marks)) byId.set(id, (JSON.parse(m) as CancelMark).record);
    const cancelled = new Set(byId.keys());
    await withTimeout(op, this.#timeoutMs, async () => {
      for (const state of STATES) {
        const jobs = (await this.#queue.getJobs([state], 0, -1)) as unknown as BullJobView[];
        const wanted = jobs.filter(
          (j) =>
            j?.id !== undefined &&
            !cancelled.has(String(j.id)) &&
            (query.model === undefined || j.data.model === query.model),
        );
        const records = await Promise.all(wanted.map(async (j) => toRecord(j, state, await this.#logs(String(j.id)))));
        // a job that moved on while listing shows in its later state (the finished states come last)
        for (const r of records) byId.set(r.id, r);
      }
    });
    const out = [...byId.values()]
      .filter(
        (j) =>
          (query.model === undefined || j.model === query.model) &&
          (query.status === undefined || j.status === query.status),
      )
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    return query.limit !== undefined ? out.slice(0, query.limit) : out;
  }

  /**
   * Cancels a queued or running job: its final record (`cancelled`, `reason` as its error) is
   * written beside the queue at once; a queued job is removed from the queue, a running one is
   * stopped by its worker within the worker's `pollMs` (its result, if any, is not registered).
   * Cancelling a cancelled job returns it unchanged; a finished one is `INVALID_STATE`, an unknown
   * id `NOT_FOUND`.
   */
  async cancel(id: string, reason = 'cancelled'): Promise<JobRecord> {
    const op = 'BullmqJobRunner.cancel';
    this.#assertOpen(op);
    const cur = await this.get(id);
    if (!cur) throw new JobQueueError('NOT_FOUND', `${op}: no job "${id}"`, { operation: op, details: { job: id } });
    if (cur.status === 'cancelled') return cur;
    if (TERMINAL.has(cur.status)) {
      throw new JobQueueError('INVALID_STATE', `${op}: job "${id}" is ${cur.status}: it cannot be cancelled`, {
        operation: op,
        details: { job: id, status: cur.status },
      });
    }
    const now = this.#clock();
    const { notBefore: _n, ...rest } = cur;
    const record: JobRecord = {
      ...rest,
      status: 'cancelled',
      error: clip(reason),
      finishedAt: now,
      ...(cur.status === 'running' && cur.startedAt !== undefined ? { durationMs: now - cur.startedAt } : {}),
      logs: [...cur.logs, `cancelled: ${clip(reason)}`].slice(-this.#maxLogLines),
      revision: cur.revision + 1,
    };
    const mark: CancelMark = { reason: clip(reason), at: now, record };
    const won = await this.#client.run(op, (redis) => redis.hsetnx(this.#keys.cancelled, id, JSON.stringify(mark)));
    if (won === 0) return (await this.get(id)) ?? record;
    if (cur.status === 'queued') {
      // a queued job leaves the queue; one taken by a worker meanwhile is stopped by it
      await withTimeout(op, this.#timeoutMs, async () => {
        const job = await this.#queue.getJob(id);
        await job?.remove().catch(() => {});
      });
    }
    this.#log.info({ job: id, reason }, 'job cancelled');
    this.emitSafely('jobCancelled', { job: record });
    return record;
  }

  /** Closes the runner's Redis connections; jobs keep running in their workers. Further calls but `get` and `list` throw `CLOSED`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.#queue.close().catch(() => {}), this.#client.close()]);
  }

  async #logs(id: string): Promise<string[]> {
    const { logs } = await this.#queue.getJobLogs(id, 0, -1, true);
    return logs.slice(-this.#maxLogLines);
  }

  #assertOpen(operation: string): void {
    if (this.#closed) throw new JobQueueError('CLOSED', `${operation}: the job runner is closed`, { operation });
  }
}

/**
 * Creates the controller side of a BullMQ job queue: pass it to `createController` (or the
 * management API) as its job runner; start {@link createBullmqWorker} workers on the same
 * `connection` and `queue`, anywhere. Bad options throw `JobQueueError('INVALID_OPTIONS')`
 * naming the field.
 *
 * @example
 * ```ts
 * const jobs = createBullmqJobRunner({ connection: 'redis://127.0.0.1:6379', queue: 'training', registry });
 * const job = await jobs.submit(spec, { trigger: 'drift', idempotencyKey: 'drift-2025-06-01' });
 * ```
 */
export function createBullmqJobRunner(options: BullmqJobRunnerOptions): BullmqJobRunner {
  return new BullmqJobRunner(options);
}
