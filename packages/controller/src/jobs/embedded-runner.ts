/**
 * The embedded job runner: training jobs queued in the registry's store and trained in
 * `node:worker_threads` workers of this process, so that serving on the main thread stays
 * responsive.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { childLogger, SafeEmitter, type Logger, type ModelRegistry } from '@modelship/core';
import { z } from 'zod';
import { ControllerError } from '../errors.js';
import { getJson, isConflict, putJson, updateJson, controllerKeys } from '../store-json.js';
import type { Clock, JobRecord, JobRunner, JobStatus, JobTrigger, SubmitOptions, TrainingSpec } from '../types.js';
import type { WorkerInput, WorkerMessage } from './protocol.js';
import { registerTrained, type TrainedModel } from './run-training.js';
import { validateTrainingSpec } from './spec.js';

/** A job record as the embedded runner stores it: {@link JobRecord} plus the owner's heartbeat. */
export type EmbeddedJobRecord = JobRecord & {
  /** When the owning runner last wrote the running attempt (epoch ms); a stale one means the runner died. */
  heartbeatAt?: number;
};

/** Exponential backoff between attempts of a failed job. */
export interface BackoffOptions {
  /** The delay after the first failure, in ms; default 5,000. */
  initialMs?: number;
  /** The factor applied per further failure; default 2. */
  factor?: number;
  /** The longest delay, in ms; default 300,000. */
  maxMs?: number;
}

/** Options of {@link createEmbeddedJobRunner}. */
export interface EmbeddedJobRunnerOptions {
  /** The registry trained versions are registered in; its `store` holds the job records (every replica sees them). */
  registry: ModelRegistry;
  /** Jobs trained at once by this runner (each in its own worker thread); default 1. Queued jobs wait. */
  concurrency?: number;
  /** Attempts per job in all (a job's own `maxAttempts` wins); default 3. */
  maxAttempts?: number;
  /** Backoff between attempts; default `{ initialMs: 5000, factor: 2, maxMs: 300_000 }`. */
  backoff?: BackoffOptions;
  /** Epoch milliseconds now, for the records' times; default `Date.now`. */
  clock?: Clock;
  /** A pino-compatible logger; default silent. */
  logger?: Logger;
  /**
   * This runner's id, written as the `runnerId` of the attempts it runs; default a random UUID.
   * Give a stable id (e.g. the host name) so that a restarted runner recognises the attempts of
   * its previous incarnation as dead at once, instead of after `staleAfterMs`.
   */
  runnerId?: string;
  /**
   * The training worker script. Default: the built `dist/jobs/train-worker.js` (`.cjs` from the
   * CommonJS build) next to the running module. When this module runs from its TypeScript
   * sources (under vitest, which resolves `@modelship/*` to `src/`), the default is
   * `../../dist/jobs/train-worker.js` relative to `src/jobs/`: the package must have been built
   * (`npm test` builds `dist/` before vitest runs).
   */
  workerUrl?: URL;
  /** How often queued jobs, backoffs and dead runners are looked for, in ms; default 1,000. */
  pollMs?: number;
  /** Log lines kept in a job record (the newest); default 200. */
  maxLogLines?: number;
  /** How often a running attempt's record is touched (`heartbeatAt`), in ms; default 5,000. */
  heartbeatMs?: number;
  /** A running attempt whose heartbeat is older than this is taken as dead (its runner died), in ms; default 30,000. */
  staleAfterMs?: number;
}

/** Events of an {@link EmbeddedJobRunner}, each emitted after the record was written. */
export interface EmbeddedJobRunnerEvents {
  /** A job was submitted (not emitted when an idempotency key returned an existing job). */
  jobQueued: (e: { job: JobRecord }) => void;
  /** An attempt started in a worker of this runner. */
  jobStarted: (e: { job: JobRecord }) => void;
  /** Progress or log lines of a running attempt were written (at most every 500 ms). */
  jobProgressed: (e: { job: JobRecord }) => void;
  /** A job registered its version. */
  jobSucceeded: (e: { job: JobRecord; version: number }) => void;
  /** An attempt failed; `willRetry` when the job went back to the queue (after `notBefore`). */
  jobFailed: (e: { job: JobRecord; error: string; willRetry: boolean }) => void;
  /** A job was cancelled. */
  jobCancelled: (e: { job: JobRecord }) => void;
}

/** How often progress and log lines of a running attempt are written, at most. */
const FLUSH_EVERY_MS = 500;
const MAX_LINE_CHARS = 2_000;
const TERMINAL: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled']);

const posInt = z.number().int().positive();
const optionsSchema = z.strictObject({
  registry: z.custom<ModelRegistry>(
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      typeof (v as ModelRegistry).register === 'function' &&
      typeof (v as ModelRegistry).store?.get === 'function',
    'expected a ModelRegistry (createRegistry)',
  ),
  concurrency: posInt.max(64).optional(),
  maxAttempts: posInt.max(100).optional(),
  backoff: z
    .strictObject({
      initialMs: z.number().min(0).optional(),
      factor: z.number().min(1).optional(),
      maxMs: z.number().min(0).optional(),
    })
    .optional(),
  clock: z.custom<Clock>((v) => typeof v === 'function', 'expected a function').optional(),
  logger: z
    .custom<Logger>(
      (v) => typeof v === 'object' && v !== null && typeof (v as Logger).error === 'function',
      'expected a pino-compatible logger',
    )
    .optional(),
  runnerId: z.string().min(1).max(256).optional(),
  workerUrl: z.instanceof(URL, { error: 'expected a URL' }).optional(),
  pollMs: posInt.optional(),
  maxLogLines: posInt.optional(),
  heartbeatMs: posInt.optional(),
  staleAfterMs: posInt.optional(),
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

function invalid(operation: string, err: z.ZodError, prefix = ''): ControllerError {
  const issue = err.issues[0];
  const field = [prefix, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.') || prefix || 'options';
  return new ControllerError('INVALID_OPTIONS', `${operation}: ${field}: ${issue?.message ?? 'invalid'}`, {
    operation,
    details: { field },
    cause: err,
  });
}

/** The default worker script (see {@link EmbeddedJobRunnerOptions.workerUrl}). */
function defaultWorkerUrl(): URL {
  const here = import.meta.url;
  const candidates = here.endsWith('.ts')
    ? [new URL('../../dist/jobs/train-worker.js', here)]
    : here.endsWith('.cjs')
      ? [new URL('./jobs/train-worker.cjs', here), new URL('./train-worker.cjs', here)]
      : [new URL('./jobs/train-worker.js', here), new URL('./train-worker.js', here)];
  return candidates.find((u) => existsSync(fileURLToPath(u))) ?? candidates[0]!;
}

let lastIdTime = 0;
let idSeq = 0;
/** A job id that sorts by submission time (a per-process sequence orders ids of one millisecond). */
function newJobId(now: number): string {
  idSeq = now === lastIdTime ? idSeq + 1 : 0;
  lastIdTime = now;
  return `job-${now.toString(36).padStart(9, '0')}-${idSeq.toString(36).padStart(3, '0')}-${randomUUID().slice(0, 8)}`;
}

/** Oldest first: by `createdAt`, then by id. */
function byAge(a: JobRecord, b: JobRecord): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function clip(line: string): string {
  return line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line;
}

/** A copy without the given optional fields (for `exactOptionalPropertyTypes`). */
function without<T extends object, K extends keyof T>(value: T, ...keys: K[]): Omit<T, K> {
  const out = { ...value };
  for (const k of keys) delete out[k];
  return out;
}

/** One attempt running in a worker of this runner. */
interface Active {
  id: string;
  attempt: number;
  spec: TrainingSpec;
  trigger: JobTrigger;
  worker: Worker;
  startedAt: number;
  progress: number;
  /** The progress last written to the record. */
  writtenProgress: number;
  pendingLogs: string[];
  lastFlushAt: number;
  flushTimer: ReturnType<typeof setTimeout> | undefined;
  heartbeat: ReturnType<typeof setInterval>;
  /** Set once the attempt's outcome is decided (done, failed, cancelled, closed, lost). */
  settled: boolean;
  /** Writes of this attempt, in order. */
  chain: Promise<void>;
  /** Resolves when the attempt is over and cleaned up. */
  finished: Promise<void>;
  finish: () => void;
}

/**
 * Runs training jobs in worker threads of this process (see {@link createEmbeddedJobRunner}).
 * Job records live in the registry's store under `controller/jobs/`, every change by
 * compare-and-set, so several replicas can share one queue: each attempt is claimed by exactly
 * one runner, and an attempt whose runner died (no heartbeat for `staleAfterMs`) is marked
 * failed, `'runner died'`, and retried while attempts remain.
 */
export class EmbeddedJobRunner extends SafeEmitter<EmbeddedJobRunnerEvents> implements JobRunner {
  /** This runner's id (the `runnerId` of the attempts it runs). */
  readonly runnerId: string;
  readonly #registry: ModelRegistry;
  readonly #concurrency: number;
  readonly #maxAttempts: number;
  readonly #backoff: Required<BackoffOptions>;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #workerUrl: URL;
  readonly #maxLogLines: number;
  readonly #heartbeatMs: number;
  readonly #staleAfterMs: number;
  readonly #active = new Map<string, Active>();
  readonly #claiming = new Set<string>();
  /** Records in a final status never change again: they are not read twice. */
  readonly #final = new Map<string, EmbeddedJobRecord>();
  readonly #poll: ReturnType<typeof setInterval>;
  #wake: ReturnType<typeof setTimeout> | undefined;
  #wakeAt = Number.POSITIVE_INFINITY;
  #pumping: Promise<void> | undefined;
  #pumpAgain = false;
  #closed = false;

  /** Use {@link createEmbeddedJobRunner}. */
  constructor(options: EmbeddedJobRunnerOptions) {
    const r = optionsSchema.safeParse(options);
    if (!r.success) throw invalid('createEmbeddedJobRunner', r.error);
    const log = childLogger(options.logger, { component: 'job-runner' });
    super(log);
    this.#log = log;
    this.#registry = options.registry;
    this.#concurrency = options.concurrency ?? 1;
    this.#maxAttempts = options.maxAttempts ?? 3;
    this.#backoff = { initialMs: 5_000, factor: 2, maxMs: 300_000, ...options.backoff };
    this.#clock = options.clock ?? Date.now;
    this.runnerId = options.runnerId ?? randomUUID();
    this.#workerUrl = options.workerUrl ?? defaultWorkerUrl();
    if (this.#workerUrl.protocol === 'file:' && !existsSync(fileURLToPath(this.#workerUrl))) {
      throw new ControllerError(
        'INVALID_OPTIONS',
        `createEmbeddedJobRunner: workerUrl: no training worker at ${fileURLToPath(this.#workerUrl)} (build @modelship/controller first: npm run build)`,
        { operation: 'createEmbeddedJobRunner', details: { field: 'workerUrl' } },
      );
    }
    this.#maxLogLines = options.maxLogLines ?? 200;
    this.#heartbeatMs = options.heartbeatMs ?? 5_000;
    this.#staleAfterMs = options.staleAfterMs ?? 30_000;
    this.#poll = setInterval(() => this.#kick(), options.pollMs ?? 1_000);
    this.#poll.unref();
    queueMicrotask(() => this.#kick());
  }

  get #store() {
    return this.#registry.store;
  }

  /** Jobs running in this runner's workers now. */
  get runningCount(): number {
    return this.#active.size;
  }

  /**
   * Queues a job training `spec` (validated: `ControllerError('INVALID_OPTIONS')` naming the
   * field). With an `idempotencyKey`, the key is claimed (create-only) for the model: a second
   * submit with the same key resolves with the first job and queues nothing.
   */
  async submit(spec: TrainingSpec, options: SubmitOptions = {}): Promise<JobRecord> {
    const op = 'EmbeddedJobRunner.submit';
    this.#assertOpen(op);
    const s = validateTrainingSpec(spec, op);
    const o = submitSchema.safeParse(options);
    if (!o.success) throw invalid(op, o.error, 'options');
    const now = this.#clock();
    let id = newJobId(now);
    if (options.idempotencyKey !== undefined) {
      const keyRecord = controllerKeys.jobKey(s.model, options.idempotencyKey);
      try {
        await putJson(this.#store, keyRecord, { jobId: id, createdAt: now }, { create: true });
      } catch (err) {
        if (!isConflict(err)) throw err;
        const claim = await getJson<{ jobId: string }>(this.#store, keyRecord);
        if (!claim) throw err;
        id = claim.value.jobId;
        const existing = await this.get(id);
        if (existing) return existing;
        // the first submitter claimed the key but has not written the job yet (or crashed): write it
      }
    }
    const record: EmbeddedJobRecord = {
      id,
      model: s.model,
      trigger: options.trigger ?? 'manual',
      status: 'queued',
      spec: s,
      ...(options.idempotencyKey !== undefined ? { idempotencyKey: options.idempotencyKey } : {}),
      progress: 0,
      logs: [],
      attempts: 0,
      maxAttempts: options.maxAttempts ?? this.#maxAttempts,
      createdAt: now,
      revision: 1,
    };
    try {
      await putJson(this.#store, controllerKeys.job(id), record, { create: true });
    } catch (err) {
      if (!isConflict(err)) throw err;
      const existing = await this.get(id);
      if (existing) return existing;
      throw err;
    }
    this.#log.info({ job: id, model: s.model, trigger: record.trigger }, 'job queued');
    this.emitSafely('jobQueued', { job: record });
    this.#kick();
    return record;
  }

  /** One job's record, or `undefined`. */
  async get(id: string): Promise<EmbeddedJobRecord | undefined> {
    const cached = this.#final.get(id);
    if (cached) return cached;
    const r = await getJson<EmbeddedJobRecord>(this.#store, controllerKeys.job(id));
    if (r && TERMINAL.has(r.value.status)) this.#final.set(id, r.value);
    return r?.value;
  }

  /** Jobs, newest first, optionally of one model and/or status, at most `limit`. */
  async list(query: { model?: string; status?: JobStatus; limit?: number } = {}): Promise<JobRecord[]> {
    const q = listSchema.safeParse(query);
    if (!q.success) throw invalid('EmbeddedJobRunner.list', q.error, 'query');
    const all = await this.#readAll();
    const out = all
      .filter(
        (j) =>
          (query.model === undefined || j.model === query.model) &&
          (query.status === undefined || j.status === query.status),
      )
      .sort((a, b) => byAge(b, a));
    return query.limit !== undefined ? out.slice(0, query.limit) : out;
  }

  /**
   * Cancels a queued or running job: the record becomes `cancelled` (with `reason` as its error)
   * and, when it runs in this runner, its worker is terminated; an attempt running in another
   * replica's runner stops at that runner's next write (within `heartbeatMs`). Cancelling a
   * cancelled job returns it unchanged; a finished one is `INVALID_STATE`, an unknown id
   * `NOT_FOUND`.
   */
  async cancel(id: string, reason = 'cancelled'): Promise<JobRecord> {
    const op = 'EmbeddedJobRunner.cancel';
    const a = this.#active.get(id);
    if (a) a.settled = true; // from now on the worker's result is ignored
    let changed = false;
    let found: EmbeddedJobRecord | undefined;
    const now = this.#clock();
    const rec = await updateJson<EmbeddedJobRecord>(this.#store, controllerKeys.job(id), (cur) => {
      changed = false;
      found = cur;
      if (!cur || TERMINAL.has(cur.status)) return undefined;
      changed = true;
      return {
        ...without(cur, 'notBefore'),
        status: 'cancelled',
        error: clip(reason),
        finishedAt: now,
        ...(cur.status === 'running' && cur.startedAt !== undefined ? { durationMs: now - cur.startedAt } : {}),
        logs: this.#trim([...cur.logs, ...(a?.pendingLogs ?? []), `cancelled: ${clip(reason)}`]),
        revision: cur.revision + 1,
      };
    });
    if (a) {
      a.pendingLogs = [];
      await this.#stopWorker(a);
    }
    if (!found || !rec) {
      throw new ControllerError('NOT_FOUND', `${op}: no job "${id}"`, { operation: op, details: { job: id } });
    }
    if (!changed) {
      if (rec.status === 'cancelled') return rec;
      throw new ControllerError('INVALID_STATE', `${op}: job "${id}" is ${rec.status}: it cannot be cancelled`, {
        operation: op,
        details: { job: id, status: rec.status },
      });
    }
    this.#final.set(id, rec);
    this.#log.info({ job: id, reason }, 'job cancelled');
    this.emitSafely('jobCancelled', { job: rec });
    this.#kick();
    return rec;
  }

  /**
   * Stops taking work and stops the running attempts: their workers are terminated and their
   * records go back to the queue (`error: 'runner closed'`, an attempt spent) or, with no attempt
   * left, to `failed`. Resolves when every record was written. Further calls but `get` and `list`
   * throw `CLOSED`.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#poll);
    if (this.#wake) clearTimeout(this.#wake);
    await this.#pumping?.catch(() => {});
    await Promise.all(
      [...this.#active.values()].map(async (a) => {
        if (!a.settled) {
          a.settled = true;
          await this.#enqueue(a, () => this.#fail(a, 'runner closed', false));
        }
        await this.#stopWorker(a);
      }),
    );
  }

  #assertOpen(operation: string): void {
    if (this.#closed) {
      throw new ControllerError('CLOSED', `${operation}: the job runner is closed`, { operation });
    }
  }

  #trim(lines: string[]): string[] {
    return lines.length > this.#maxLogLines ? lines.slice(lines.length - this.#maxLogLines) : lines;
  }

  #delay(attempt: number): number {
    const b = this.#backoff;
    return Math.min(b.maxMs, b.initialMs * b.factor ** Math.max(0, attempt - 1));
  }

  async #readAll(): Promise<EmbeddedJobRecord[]> {
    const keys = await this.#store.list(controllerKeys.jobsPrefix());
    const prefix = controllerKeys.jobsPrefix();
    const out = await Promise.all(
      keys.filter((k) => k.endsWith('.json')).map((k) => this.get(k.slice(prefix.length, -'.json'.length))),
    );
    return out.filter((r): r is EmbeddedJobRecord => r !== undefined);
  }

  /** Runs the scheduler soon (coalesced: one pass at a time, one more if asked meanwhile). */
  #kick(): void {
    if (this.#closed) return;
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = this.#pump()
      .catch((err: unknown) => this.#log.error({ err }, 'job scheduling failed'))
      .finally(() => {
        this.#pumping = undefined;
        if (this.#pumpAgain) {
          this.#pumpAgain = false;
          this.#kick();
        }
      });
  }

  async #pump(): Promise<void> {
    const jobs = await this.#readAll();
    const now = this.#clock();
    for (const j of jobs) if (j.status === 'running') await this.#reapIfDead(j, now);
    let next = Number.POSITIVE_INFINITY;
    const queued = jobs.filter((j) => j.status === 'queued').sort(byAge);
    for (const j of queued) {
      if (this.#closed) return;
      if ((j.notBefore ?? 0) > now) {
        next = Math.min(next, j.notBefore!);
        continue;
      }
      if (this.#active.size + this.#claiming.size >= this.#concurrency) break;
      await this.#claim(j.id);
    }
    if (Number.isFinite(next)) this.#wakeUpAt(next);
  }

  #wakeUpAt(at: number): void {
    if (this.#closed || at >= this.#wakeAt) return;
    if (this.#wake) clearTimeout(this.#wake);
    this.#wakeAt = at;
    this.#wake = setTimeout(
      () => {
        this.#wake = undefined;
        this.#wakeAt = Number.POSITIVE_INFINITY;
        this.#kick();
      },
      Math.max(0, at - this.#clock()) + 5,
    );
    this.#wake.unref();
  }

  /** A running attempt whose runner is gone: this runner's previous incarnation, or a silent one. */
  #isDead(j: EmbeddedJobRecord, now: number): boolean {
    if (j.status !== 'running') return false;
    if (j.runnerId === this.runnerId) return !this.#active.has(j.id) && !this.#claiming.has(j.id);
    return (j.heartbeatAt ?? j.startedAt ?? j.createdAt) < now - this.#staleAfterMs;
  }

  async #reapIfDead(j: EmbeddedJobRecord, now: number): Promise<void> {
    if (!this.#isDead(j, now)) return;
    let willRetry = false;
    let written = false;
    const rec = await updateJson<EmbeddedJobRecord>(this.#store, controllerKeys.job(j.id), (cur) => {
      written = false;
      if (!cur || !this.#isDead(cur, this.#clock()) || cur.attempts !== j.attempts || cur.runnerId !== j.runnerId) {
        return undefined;
      }
      written = true;
      const next = this.#failed(cur, 'runner died', now);
      willRetry = next.status === 'queued';
      return next;
    });
    if (!written || !rec) return;
    this.#log.warn({ job: j.id, runnerId: j.runnerId, willRetry }, 'job attempt of a dead runner marked failed');
    if (!willRetry) this.#final.set(j.id, rec);
    else if (rec.notBefore !== undefined) this.#wakeUpAt(rec.notBefore);
    this.emitSafely('jobFailed', { job: rec, error: 'runner died', willRetry });
  }

  /** The record after a failed attempt: queued again with a backoff while attempts remain, else failed. */
  #failed(cur: EmbeddedJobRecord, error: string, now: number, extraLogs: string[] = []): EmbeddedJobRecord {
    const retry = cur.attempts < cur.maxAttempts;
    const base = without(cur, 'heartbeatAt', 'notBefore');
    const line = `attempt ${cur.attempts}/${cur.maxAttempts} failed: ${clip(error)}${retry ? ' (will retry)' : ''}`;
    return {
      ...base,
      status: retry ? 'queued' : 'failed',
      error: clip(error),
      ...(cur.startedAt !== undefined ? { durationMs: now - cur.startedAt } : {}),
      ...(retry ? { notBefore: now + this.#delay(cur.attempts) } : { finishedAt: now }),
      logs: this.#trim([...cur.logs, ...extraLogs, line]),
      revision: cur.revision + 1,
    };
  }

  async #claim(id: string): Promise<void> {
    this.#claiming.add(id);
    try {
      const now = this.#clock();
      let won = false;
      const rec = await updateJson<EmbeddedJobRecord>(this.#store, controllerKeys.job(id), (cur) => {
        won = false;
        if (this.#closed || !cur || cur.status !== 'queued' || (cur.notBefore ?? 0) > now) return undefined;
        won = true;
        return {
          ...without(cur, 'notBefore', 'finishedAt'),
          status: 'running',
          attempts: cur.attempts + 1,
          startedAt: now,
          heartbeatAt: now,
          runnerId: this.runnerId,
          progress: 0,
          logs: this.#trim([
            ...cur.logs,
            `attempt ${cur.attempts + 1}/${cur.maxAttempts} started on runner ${this.runnerId}`,
          ]),
          revision: cur.revision + 1,
        };
      });
      if (!won || !rec) return;
      this.#start(rec);
    } finally {
      this.#claiming.delete(id);
    }
  }

  #start(rec: EmbeddedJobRecord): void {
    const input: WorkerInput = { spec: rec.spec, jobId: rec.id, trigger: rec.trigger };
    const worker = new Worker(this.#workerUrl, { workerData: input });
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const a: Active = {
      id: rec.id,
      attempt: rec.attempts,
      spec: rec.spec,
      trigger: rec.trigger,
      worker,
      startedAt: rec.startedAt ?? this.#clock(),
      progress: 0,
      writtenProgress: 0,
      pendingLogs: [],
      lastFlushAt: 0,
      flushTimer: undefined,
      heartbeat: setInterval(() => void this.#enqueue(a, () => this.#flush(a)), this.#heartbeatMs),
      settled: false,
      chain: Promise.resolve(),
      finished,
      finish,
    };
    a.heartbeat.unref();
    this.#active.set(rec.id, a);
    this.#log.info({ job: rec.id, attempt: rec.attempts }, 'job started');
    this.emitSafely('jobStarted', { job: rec });
    worker.on('message', (m: WorkerMessage) => {
      if (a.settled) return;
      if (m.type === 'progress') {
        a.progress = Math.min(1, Math.max(a.progress, m.progress.fraction));
        this.#scheduleFlush(a);
      } else if (m.type === 'log') {
        a.pendingLogs.push(clip(m.line));
        this.#scheduleFlush(a);
      } else if (m.type === 'done') {
        a.settled = true;
        void this.#enqueue(a, () => this.#succeed(a, m.trained));
      } else {
        a.settled = true;
        const what = m.name && m.name !== 'Error' ? `${m.name}${m.code ? ` ${m.code}` : ''}: ` : '';
        void this.#enqueue(a, () => this.#fail(a, `${what}${m.message}`, true));
      }
    });
    worker.on('error', (err) => {
      if (a.settled) return;
      a.settled = true;
      void this.#enqueue(a, () => this.#fail(a, `worker error: ${err.message}`, true));
    });
    worker.on('exit', (code) => {
      if (!a.settled) {
        a.settled = true;
        void this.#enqueue(a, () => this.#fail(a, `worker exited with code ${code} before finishing`, true));
      } else {
        void a.chain.then(() => this.#cleanup(a));
      }
    });
  }

  /** Runs `fn` after this attempt's earlier writes; a failure is logged. */
  #enqueue(a: Active, fn: () => Promise<void>): Promise<void> {
    a.chain = a.chain.then(fn).catch((err: unknown) => this.#log.error({ err, job: a.id }, 'job record write failed'));
    return a.chain;
  }

  #scheduleFlush(a: Active): void {
    if (a.flushTimer) return;
    const wait = Math.max(0, a.lastFlushAt + FLUSH_EVERY_MS - Date.now());
    a.flushTimer = setTimeout(() => {
      a.flushTimer = undefined;
      void this.#enqueue(a, () => this.#flush(a));
    }, wait);
  }

  /** The update of a record this attempt still owns, or `undefined` (cancelled, taken over…). */
  #owned(a: Active, cur: EmbeddedJobRecord | undefined): cur is EmbeddedJobRecord {
    return !!cur && cur.status === 'running' && cur.runnerId === this.runnerId && cur.attempts === a.attempt;
  }

  async #flush(a: Active): Promise<void> {
    if (a.settled && a.pendingLogs.length === 0) return;
    a.lastFlushAt = Date.now();
    const lines = a.pendingLogs;
    a.pendingLogs = [];
    const now = this.#clock();
    let lost = false;
    let written = false;
    const rec = await updateJson<EmbeddedJobRecord>(this.#store, controllerKeys.job(a.id), (cur) => {
      written = false;
      lost = !this.#owned(a, cur);
      if (lost || !cur) return undefined;
      written = true;
      return {
        ...cur,
        progress: Math.max(cur.progress, a.progress),
        logs: this.#trim([...cur.logs, ...lines]),
        heartbeatAt: now,
        revision: cur.revision + 1,
      };
    });
    if (lost && !a.settled) {
      // cancelled by another replica, or taken as dead: this attempt's result would not count
      a.settled = true;
      this.#log.warn(
        { job: a.id, status: rec?.status },
        'job record no longer owned by this runner: stopping its worker',
      );
      void this.#stopWorker(a); // not awaited: it waits for this attempt's writes, this one included
      return;
    }
    if (!written || !rec) return;
    const moved = rec.progress !== a.writtenProgress;
    a.writtenProgress = rec.progress;
    if (lines.length > 0 || moved) this.emitSafely('jobProgressed', { job: rec });
  }

  async #succeed(a: Active, trained: TrainedModel): Promise<void> {
    const cur = await getJson<EmbeddedJobRecord>(this.#store, controllerKeys.job(a.id));
    if (!this.#owned(a, cur?.value)) {
      this.#log.warn({ job: a.id }, 'job finished but its record is no longer owned by this runner: not registering');
      return;
    }
    let result: { version: number; reused: boolean };
    try {
      result = await registerTrained(this.#registry, a.spec, trained, { jobId: a.id, trigger: a.trigger });
    } catch (err) {
      await this.#fail(a, `registering the version failed: ${(err as Error).message}`, true);
      return;
    }
    const now = this.#clock();
    const lines = [
      ...a.pendingLogs,
      `registered ${a.spec.model} v${result.version}${result.reused ? ' (found, registered by an earlier attempt)' : ''}`,
    ];
    a.pendingLogs = [];
    let written = false;
    const rec = await updateJson<EmbeddedJobRecord>(this.#store, controllerKeys.job(a.id), (c) => {
      written = false;
      if (!this.#owned(a, c)) return undefined;
      written = true;
      return {
        ...without(c, 'heartbeatAt', 'error'),
        status: 'succeeded',
        progress: 1,
        version: result.version,
        finishedAt: now,
        durationMs: now - a.startedAt,
        logs: this.#trim([...c.logs, ...lines]),
        revision: c.revision + 1,
      };
    });
    if (!written || !rec) {
      this.#log.warn({ job: a.id, version: result.version }, 'job registered a version but was cancelled meanwhile');
      return;
    }
    this.#final.set(a.id, rec);
    this.#log.info({ job: a.id, version: result.version, durationMs: rec.durationMs }, 'job succeeded');
    this.emitSafely('jobSucceeded', { job: rec, version: result.version });
  }

  async #fail(a: Active, error: string, kick: boolean): Promise<void> {
    const now = this.#clock();
    const lines = a.pendingLogs;
    a.pendingLogs = [];
    let willRetry = false;
    let written = false;
    const rec = await updateJson<EmbeddedJobRecord>(this.#store, controllerKeys.job(a.id), (cur) => {
      written = false;
      if (!this.#owned(a, cur)) return undefined;
      written = true;
      const next = this.#failed({ ...cur, progress: Math.max(cur.progress, a.progress) }, error, now, lines);
      willRetry = next.status === 'queued';
      return next;
    });
    if (!written || !rec) return;
    if (!willRetry) this.#final.set(a.id, rec);
    this.#log.warn({ job: a.id, attempt: a.attempt, error, willRetry }, 'job attempt failed');
    this.emitSafely('jobFailed', { job: rec, error, willRetry });
    if (kick && willRetry && rec.notBefore !== undefined) this.#wakeUpAt(rec.notBefore);
  }

  async #stopWorker(a: Active): Promise<void> {
    a.settled = true;
    await a.worker.terminate().catch(() => 0);
    await a.chain;
    this.#cleanup(a);
    await a.finished;
  }

  #cleanup(a: Active): void {
    if (this.#active.get(a.id) !== a) {
      a.finish();
      return;
    }
    clearInterval(a.heartbeat);
    if (a.flushTimer) clearTimeout(a.flushTimer);
    this.#active.delete(a.id);
    a.finish();
    this.#kick();
  }
}

/**
 * Creates an {@link EmbeddedJobRunner}: training jobs queued in the registry's store, trained in
 * worker threads of this process (at most `concurrency` at once), retried with exponential
 * backoff, each successful job registering one version tagged `job: <id>`. Options are validated
 * now (`ControllerError('INVALID_OPTIONS')` naming the field); the runner starts polling at once
 * (and marks the attempts of dead runners failed). Call `close()` to stop it.
 *
 * @example
 * ```ts
 * const registry = createRegistry({ store: new FsStore({ root: '/var/lib/modelship' }) });
 * const runner = createEmbeddedJobRunner({ registry, concurrency: 1 });
 * runner.on('jobSucceeded', ({ job, version }) => console.log(job.id, 'registered version', version));
 * const job = await runner.submit(
 *   parseTrainingSpec(readFileSync('iris.training.yaml', 'utf8')),
 *   { trigger: 'schedule', idempotencyKey: 'nightly-2025-06-01' },
 * );
 * // later, from any replica sharing the store:
 * console.log((await runner.get(job.id))?.status); // 'queued' | 'running' | 'succeeded' | …
 * await runner.close();
 * ```
 */
export function createEmbeddedJobRunner(options: EmbeddedJobRunnerOptions): EmbeddedJobRunner {
  return new EmbeddedJobRunner(options);
}
