/**
 * What the runner and the worker share: the connection options, the Redis keys beside BullMQ's,
 * the job data, option validation and the Redis client used for those keys.
 *
 * @internal
 */
import type { Logger, ModelRegistry } from '@modelship/core';
import type { JobRecord, JobTrigger, TrainingSpec } from '@modelship/controller';
import { Redis, type RedisOptions } from 'ioredis';
import { z } from 'zod';
import { JobQueueError } from './errors.js';

/**
 * Where Redis is: a `redis://` / `rediss://` URL, or ioredis-style options (`host`, `port`,
 * `username`, `password`, `db`, `tls`…), passed to BullMQ and to the client of the runner's own
 * keys.
 */
export type RedisConnection =
  | string
  | {
      /** Host name; default `127.0.0.1`. */
      host?: string;
      /** Port; default 6379. */
      port?: number;
      /** ACL user name. */
      username?: string;
      /** Password. */
      password?: string;
      /** Database index; default 0. */
      db?: number;
      /** TLS options (ioredis `tls`), for `rediss`. */
      tls?: Record<string, unknown>;
    };

/** The data of a BullMQ job (`job.data`). */
export interface JobData {
  spec: TrainingSpec;
  model: string;
  trigger: JobTrigger;
  idempotencyKey?: string;
  backoff: { initialMs: number; factor: number; maxMs: number };
}

/** What the worker's processor returns (`job.returnvalue`). */
export interface JobResult {
  version: number;
  metrics: Record<string, number>;
  reused: boolean;
}

/** A cancelled job's final record, kept in the `cancelled` hash (its BullMQ job may be gone). */
export interface CancelMark {
  reason: string;
  at: number;
  record: JobRecord;
}

export const MAX_LINE_CHARS = 2_000;
export const clip = (line: string) => (line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line);

/** The keys this package keeps next to BullMQ's (same prefix and queue). */
export function keysOf(prefix: string, queue: string) {
  const base = `${prefix}:${queue}:modelship`;
  return {
    /** Hash job id → JSON {@link CancelMark}. */
    cancelled: `${base}:cancelled`,
    /** Hash job id → the version it registered (written once, right after registering). */
    versions: `${base}:versions`,
    /** String: the job id an idempotency key of a model was claimed for. */
    idempotency: (model: string, key: string) => `${base}:key:${model.length}:${model}:${key}`,
  };
}

export const connectionSchema = z.union([
  z.string().regex(/^rediss?:\/\/[^\s]+$/, 'expected a redis:// or rediss:// URL'),
  z.looseObject({
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65_535).optional(),
    username: z.string().optional(),
    password: z.string().optional(),
    db: z.number().int().min(0).optional(),
    tls: z.record(z.string(), z.unknown()).optional(),
  }),
]);

export const registrySchema = z.custom<ModelRegistry>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as ModelRegistry).register === 'function' &&
    typeof (v as ModelRegistry).searchVersions === 'function',
  'expected a ModelRegistry (createRegistry)',
);

export const loggerSchema = z.custom<Logger>(
  (v) => typeof v === 'object' && v !== null && typeof (v as Logger).error === 'function',
  'expected a pino-compatible logger',
);

export const queueNameSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'expected 1-100 letters, digits, _ . -');
export const prefixSchema = z.string().regex(/^[A-Za-z0-9_.{}-]{1,100}$/, 'expected 1-100 letters, digits, _ . - { }');

/** `JobQueueError('INVALID_OPTIONS')` naming the first bad field. */
export function invalid(operation: string, err: z.ZodError, prefix = ''): JobQueueError {
  const issue = err.issues[0];
  const field = [prefix, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.') || 'options';
  return new JobQueueError('INVALID_OPTIONS', `${operation}: ${field}: ${issue?.message ?? 'invalid'}`, {
    operation,
    details: { field },
    cause: err,
  });
}

/** ioredis options of a {@link RedisConnection}. */
export function redisOptions(connection: RedisConnection): Record<string, unknown> {
  if (typeof connection !== 'string') return { ...connection };
  const u = new URL(connection);
  const db = u.pathname.replace(/^\//, '');
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * The client of this package's own keys: fails fast (no offline queue, one retry per request)
 * so that a Redis outage surfaces as `UNAVAILABLE` instead of a hang.
 */
export class KeysClient {
  readonly redis: Redis;
  readonly #timeoutMs: number;

  constructor(connection: RedisConnection, timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    const options = {
      ...redisOptions(connection),
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: timeoutMs,
      retryStrategy: (n: number) => Math.min(100 * n, 2_000),
    } as RedisOptions;
    this.redis = new Redis(options as never);
    this.redis.on('error', () => {}); // reported through the failing calls
    this.redis.connect().catch(() => {});
  }

  /** Runs `fn` once the client is ready, within the timeout; any Redis failure is `UNAVAILABLE`. */
  async run<T>(operation: string, fn: (redis: Redis) => Promise<T>): Promise<T> {
    return withTimeout(operation, this.#timeoutMs, async () => {
      await this.#ready();
      return fn(this.redis);
    });
  }

  async #ready(): Promise<void> {
    const r = this.redis;
    if (r.status === 'ready') return;
    if (r.status === 'end') throw new Error('connection closed');
    if (r.status === 'wait') r.connect().catch(() => {});
    await new Promise<void>((res, rej) => {
      const onReady = () => {
        r.off('end', onEnd);
        res();
      };
      const onEnd = () => {
        r.off('ready', onReady);
        rej(new Error('connection closed'));
      };
      r.once('ready', onReady);
      r.once('end', onEnd);
    });
  }

  async close(): Promise<void> {
    if (this.redis.status === 'end') return;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** `fn()`, or `JobQueueError('UNAVAILABLE')` when it fails with a non-modelship error or takes longer than `ms`. */
export async function withTimeout<T>(operation: string, ms: number, fn: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(
      () =>
        rej(
          new JobQueueError('UNAVAILABLE', `${operation}: Redis did not answer within ${ms} ms`, {
            operation,
            details: { timeoutMs: ms },
          }),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([fn(), timeout]);
  } catch (err) {
    if (isOurs(err)) throw err;
    throw new JobQueueError('UNAVAILABLE', `${operation}: Redis is unavailable: ${(err as Error)?.message ?? err}`, {
      operation,
      cause: err,
    });
  } finally {
    clearTimeout(timer);
  }
}

function isOurs(err: unknown): boolean {
  const name = (err as { name?: unknown } | undefined)?.name;
  return name === 'JobQueueError' || name === 'ControllerError';
}
