/**
 * The worker side of the BullMQ job runner: takes training jobs from the queue, trains each in a
 * worker thread with the controller's `trainFromSpec`, reports progress and log lines to the job,
 * and registers the version exactly once per job, whatever happened to earlier attempts.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker as Thread } from 'node:worker_threads';
import { randomUUID } from 'node:crypto';
import { registerTrained, type RegisteredTraining, type TrainedModel } from '@modelship/controller';
import { childLogger, SafeEmitter, type Logger, type ModelRegistry } from '@modelship/core';
import { type ConnectionOptions, type Job, UnrecoverableError, Worker } from 'bullmq';
import { z } from 'zod';
import { JobQueueError } from './errors.js';
import type { ThreadInput, ThreadMessage } from './protocol.js';
import {
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
} from './shared.js';

/** Options of {@link createBullmqWorker}. */
export interface BullmqWorkerOptions {
  /** Where Redis is (the runner's): a `redis://` / `rediss://` URL, or ioredis-style options. */
  connection: RedisConnection;
  /** The BullMQ queue name (the runner's). */
  queue: string;
  /** The registry versions are registered in (the one the controller watches). */
  registry: ModelRegistry;
  /** BullMQ's key prefix; default `'bull'` (the runner's). */
  prefix?: string;
  /** Jobs trained at once by this worker, each in its own thread; default 1. */
  concurrency?: number;
  /** This worker's id, shown as the `runnerId` of the jobs it runs; default `<host>-<pid>-<random>`. */
  workerId?: string;
  /**
   * How long a job's lock lasts without renewal, in ms; default 30,000. A worker that dies
   * (SIGKILL, lost machine) stops renewing it: after this long the job is handed to another worker.
   */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs (locks of dead workers), in ms; default 30,000. */
  stalledIntervalMs?: number;
  /** Times a job may stall (its worker died) before it fails instead of being handed on; default 2. */
  maxStalledCount?: number;
  /** How often a running job's cancellation is checked and its progress written, in ms; default 500. */
  pollMs?: number;
  /** How long a Redis call of this package may take, in ms; default 5,000. */
  timeoutMs?: number;
  /** The training thread script; default the built `dist/train-thread.js` (`.cjs`) of this package. */
  threadUrl?: URL;
  /** A pino-compatible logger; default silent. */
  logger?: Logger;
}

/** Events of a {@link BullmqWorker}, each emitted after the job was updated in Redis. */
export interface BullmqWorkerEvents {
  /** This worker started an attempt of a job. */
  jobStarted: (e: { jobId: string; model: string; attempt: number }) => void;
  /** A job registered its version (`reused` when an earlier attempt had registered it). */
  jobSucceeded: (e: { jobId: string; model: string; version: number; reused: boolean }) => void;
  /** An attempt failed; `willRetry` when attempts remain. */
  jobFailed: (e: { jobId: string; model: string; error: string; willRetry: boolean }) => void;
  /** A running job was stopped because it was cancelled. */
  jobCancelled: (e: { jobId: string; model: string }) => void;
}

const posInt = z.number().int().positive();
const optionsSchema = z.strictObject({
  connection: connectionSchema,
  queue: queueNameSchema,
  registry: registrySchema,
  prefix: prefixSchema.optional(),
  concurrency: posInt.max(64).optional(),
  workerId: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,200}$/, 'expected 1-200 letters, digits, _ . : -')
    .optional(),
  lockDurationMs: posInt.min(100).optional(),
  stalledIntervalMs: posInt.min(100).optional(),
  maxStalledCount: z.number().int().min(0).max(100).optional(),
  pollMs: posInt.optional(),
  timeoutMs: posInt.optional(),
  threadUrl: z.instanceof(URL, { error: 'expected a URL' }).optional(),
  logger: loggerSchema.optional(),
});

/** Thrown inside the processor when the job was cancelled. */
class Cancelled extends Error {}

function defaultThreadUrl(): URL {
  const here = import.meta.url;
  const candidates = here.endsWith('.ts')
    ? [new URL('../dist/train-thread.js', here)]
    : here.endsWith('.cjs')
      ? [new URL('./train-thread.cjs', here)]
      : [new URL('./train-thread.js', here)];
  return candidates.find((u) => existsSync(fileURLToPath(u))) ?? candidates[0]!;
}

function backoffDelay(attemptsMade: number, job: { data?: unknown } | undefined): number {
  const b = (job?.data as JobData | undefined)?.backoff ?? { initialMs: 5_000, factor: 2, maxMs: 300_000 };
  return Math.min(b.maxMs, b.initialMs * b.factor ** Math.max(0, attemptsMade - 1));
}

/**
 * A worker of a BullMQ training queue (see {@link createBullmqWorker}). Exactly one version per
 * job: before registering, the worker re-checks the job's cancellation and extends the job's
 * lock (it fails when the job was handed to another worker); `registerTrained` reuses a version
 * tagged with the job id when an earlier attempt registered one (its worker died before
 * completing the job); the version is then recorded beside the queue, so that a later attempt
 * skips training altogether.
 */
export class BullmqWorker extends SafeEmitter<BullmqWorkerEvents> {
  /** This worker's id (the `runnerId` of the jobs it runs). */
  readonly workerId: string;
  readonly #worker: Worker<JobData, JobResult>;
  readonly #registry: ModelRegistry;
  readonly #client: KeysClient;
  readonly #keys: ReturnType<typeof keysOf>;
  readonly #log: Logger;
  readonly #lockMs: number;
  readonly #pollMs: number;
  readonly #threadUrl: URL;
  readonly #threads = new Set<Thread>();
  #closed = false;

  /** Use {@link createBullmqWorker}. */
  constructor(options: BullmqWorkerOptions) {
    const r = optionsSchema.safeParse(options);
    if (!r.success) throw invalid('createBullmqWorker', r.error);
    const log = childLogger(options.logger, { component: 'bullmq-worker' });
    super(log);
    this.#log = log;
    this.#threadUrl = options.threadUrl ?? defaultThreadUrl();
    if (this.#threadUrl.protocol === 'file:' && !existsSync(fileURLToPath(this.#threadUrl))) {
      throw new JobQueueError(
        'INVALID_OPTIONS',
        `createBullmqWorker: threadUrl: no training thread at ${fileURLToPath(this.#threadUrl)} (build @modelship/jobs-bullmq first)`,
        { operation: 'createBullmqWorker', details: { field: 'threadUrl' } },
      );
    }
    this.workerId = options.workerId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.#registry = options.registry;
    this.#lockMs = options.lockDurationMs ?? 30_000;
    this.#pollMs = options.pollMs ?? 500;
    const prefix = options.prefix ?? 'bull';
    this.#keys = keysOf(prefix, options.queue);
    this.#client = new KeysClient(options.connection, options.timeoutMs ?? 5_000);
    this.#worker = new Worker<JobData, JobResult>(
      options.queue,
      (job, token, signal) => this.#process(job, token, signal),
      {
        connection: { ...redisOptions(options.connection), maxRetriesPerRequest: null } as ConnectionOptions,
        prefix,
        name: this.workerId,
        concurrency: options.concurrency ?? 1,
        lockDuration: this.#lockMs,
        stalledInterval: options.stalledIntervalMs ?? 30_000,
        maxStalledCount: options.maxStalledCount ?? 2,
        settings: { backoffStrategy: (attemptsMade, _type, _err, job) => backoffDelay(attemptsMade, job) },
      },
    );
    this.#worker.on('error', (err) => this.#log.warn({ err }, 'worker error'));
  }

  /** Resolves when the worker is connected and taking jobs. */
  async waitUntilReady(): Promise<void> {
    await this.#worker.waitUntilReady();
  }

  /**
   * Stops taking jobs and stops the running ones (their threads are terminated; each goes back to
   * the queue with an attempt spent, `'worker closed'`, or fails with none left), then closes
   * the connections.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#worker.cancelAllJobs('worker closed');
    await this.#worker.close().catch((err: unknown) => this.#log.warn({ err }, 'worker close failed'));
    await this.#client.close();
  }

  async #process(job: Job<JobData, JobResult>, token: string | undefined, signal: AbortSignal | undefined) {
    const id = String(job.id);
    const d = job.data;
    const attempt = job.attemptsMade + 1;
    const max = job.opts.attempts ?? 1;
    const op = 'BullmqWorker.process';
    let chain: Promise<unknown> = Promise.resolve();
    const log = (line: string) => {
      chain = chain
        .then(() => job.log(clip(line)))
        .catch((err: unknown) => this.#log.warn({ err, job: id }, 'job log failed'));
    };
    const cancelled = () => this.#client.run(op, (redis) => redis.hexists(this.#keys.cancelled, id));
    try {
      if (await cancelled()) throw new Cancelled();
      log(`attempt ${attempt}/${max} started on worker ${this.workerId}`);
      this.#log.info({ job: id, attempt }, 'job started');
      this.emitSafely('jobStarted', { jobId: id, model: d.model, attempt });
      let result: RegisteredTraining;
      const prior = await this.#client.run(op, (redis) => redis.hget(this.#keys.versions, id));
      if (prior !== null) {
        // an earlier attempt registered the version, and its worker died before completing the job
        const v = await this.#registry.getVersion(d.model, Number(prior));
        result = { version: v.version, metrics: v.metrics, reused: true };
      } else {
        const trained = await this.#train(job, log, cancelled, signal);
        await chain;
        if (await cancelled()) throw new Cancelled();
        // the fence: a worker whose job was handed on (its lock expired) must not register
        if (token !== undefined && (await job.extendLock(token, this.#lockMs)) !== 1) {
          throw new Error('the job lock was lost (the job was handed to another worker)');
        }
        result = await registerTrained(this.#registry, d.spec, trained, { jobId: id, trigger: d.trigger });
        await this.#client.run(op, (redis) => redis.hset(this.#keys.versions, id, String(result.version)));
      }
      log(
        result.reused
          ? `reused ${d.model} v${result.version} (registered by an earlier attempt)`
          : `registered ${d.model} v${result.version}`,
      );
      await chain;
      this.#log.info({ job: id, version: result.version, reused: result.reused }, 'job succeeded');
      this.emitSafely('jobSucceeded', { jobId: id, model: d.model, version: result.version, reused: result.reused });
      return { version: result.version, metrics: result.metrics, reused: result.reused };
    } catch (err) {
      await chain;
      if (err instanceof Cancelled) {
        this.emitSafely('jobCancelled', { jobId: id, model: d.model });
        throw new UnrecoverableError('cancelled');
      }
      const e = err as { message?: unknown; name?: unknown; code?: unknown };
      const what =
        typeof e?.name === 'string' && e.name !== 'Error'
          ? `${e.name}${typeof e.code === 'string' ? ` ${e.code}` : ''}: `
          : '';
      const message = `${what}${typeof e?.message === 'string' ? e.message : String(err)}`;
      const willRetry = attempt < max && !(err instanceof UnrecoverableError);
      log(`attempt ${attempt}/${max} failed: ${clip(message)}${willRetry ? ' (will retry)' : ''}`);
      await chain;
      this.#log.warn({ job: id, attempt, willRetry, err }, 'job attempt failed');
      this.emitSafely('jobFailed', { jobId: id, model: d.model, error: message, willRetry });
      throw new Error(message, { cause: err });
    }
  }

  /** Trains in a thread; rejects with {@link Cancelled} when the job is cancelled, or when `signal` aborts. */
  #train(
    job: Job<JobData, JobResult>,
    log: (line: string) => void,
    cancelled: () => Promise<number>,
    signal: AbortSignal | undefined,
  ): Promise<TrainedModel> {
    const input: ThreadInput = { spec: job.data.spec, jobId: String(job.id), trigger: job.data.trigger };
    const thread = new Thread(this.#threadUrl, { workerData: input });
    this.#threads.add(thread);
    return new Promise<TrainedModel>((resolve, reject) => {
      let settled = false;
      let progress = 0;
      let written = 0;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearInterval(tick);
        signal?.removeEventListener('abort', onAbort);
        this.#threads.delete(thread);
        fn();
      };
      const stop = (err: Error) => finish(() => void thread.terminate().finally(() => reject(err)));
      const onAbort = () => stop(new Error(String(signal?.reason ?? 'worker closed')));
      signal?.addEventListener('abort', onAbort);
      const tick = setInterval(() => {
        if (progress > written) {
          written = progress;
          job.updateProgress(progress).catch((err: unknown) => this.#log.warn({ err }, 'job progress failed'));
        }
        cancelled().then(
          (c) => c && stop(new Cancelled()),
          () => {},
        );
      }, this.#pollMs);
      thread.on('message', (m: ThreadMessage) => {
        if (m.type === 'progress') progress = Math.min(1, Math.max(progress, m.fraction));
        else if (m.type === 'log') log(m.line);
        else if (m.type === 'done') finish(() => resolve(m.trained));
        else {
          const err = new Error(m.message);
          if (m.name) err.name = m.name;
          if (m.code) (err as Error & { code?: string }).code = m.code;
          finish(() => reject(err));
        }
      });
      thread.on('error', (err) => finish(() => reject(new Error(`training thread error: ${err.message}`))));
      thread.on('exit', (code) =>
        finish(() => reject(new Error(`training thread exited with code ${code} before finishing`))),
      );
    });
  }
}

/**
 * Creates a worker of a BullMQ training queue, to run in any process that reaches the Redis of
 * {@link createBullmqJobRunner} and the registry: it trains each job's spec (in a worker thread),
 * writes progress and log lines to the job, and registers the best artifact as a new version
 * tagged `job: <id>` — exactly once per job, across retries and dead workers. Bad options throw
 * `JobQueueError('INVALID_OPTIONS')` naming the field.
 *
 * @example
 * ```ts
 * const registry = createRegistry({ store: new FsStore({ root: '/srv/registry' }) });
 * const worker = createBullmqWorker({ connection: process.env.REDIS_URL!, queue: 'training', registry });
 * process.on('SIGTERM', () => void worker.close());
 * ```
 */
export function createBullmqWorker(options: BullmqWorkerOptions): BullmqWorker {
  return new BullmqWorker(options);
}
