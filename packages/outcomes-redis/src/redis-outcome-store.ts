/**
 * An {@link OutcomeStore} on Redis, shared by every serving replica and read by the controller.
 * Recording stays synchronous and O(1): each replica records into in-memory delta aggregates, and a
 * flush (every `flushIntervalMs`, or as soon as `maxBatch` records are waiting) applies the whole
 * batch in ONE Lua script, so a batch lands entirely or not at all. A batch carries an id that the
 * script claims first (`SET … NX`), so a batch retried after a lost reply is never counted twice.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { childLogger, RegistryError, ValidationError, type Logger } from '@modelship/core';
import {
  emptyAggregates,
  mergeAggregates,
  outcomeSnapshotSchema,
  recordFeedback,
  recordPrediction,
  type AggregatesQuery,
  type ExperimentAggregates,
  type OutcomeKey,
  type OutcomeRecorder,
  type OutcomeSnapshot,
  type OutcomeStore,
  type VariantAggregates,
} from '@modelship/core/outcomes';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { parseOptions, redisClient } from './options.js';

/** Options of {@link createRedisOutcomeStore}. */
export interface RedisOutcomeStoreOptions {
  /** An ioredis client (the caller owns it: `close()` leaves it open). Give this or `url`. */
  client?: Redis;
  /** A Redis URL (`redis://host:port/db`); the store opens its own client and closes it on `close()`. */
  url?: string;
  /** Prefix of every key; default `'modelship:outcomes:'`. Give each deployment its own. */
  prefix?: string;
  /** How often the buffer is flushed (ms); default 250. The loss bound on a crash grows with it. */
  flushIntervalMs?: number;
  /** Flush as soon as this many records are waiting; default 1000. */
  maxBatch?: number;
  /**
   * The most records held unflushed (waiting, or in a batch Redis has not acknowledged); beyond it
   * records are dropped and counted in {@link RedisOutcomeStoreStats.dropped}. Default 100,000.
   */
  maxBuffered?: number;
  /** A flush attempt that gets no answer within this time is reported failed (and retried); default 2000 ms. */
  flushTimeoutMs?: number;
  /** This replica incarnation's id, part of every batch id; default `<hostname>-<pid>-<random>`. */
  replica?: string;
  /** A pino-compatible logger; default silent. */
  logger?: Logger;
}

/** Counters of a {@link RedisOutcomeStore}, for metrics and tests. */
export interface RedisOutcomeStoreStats {
  /** Records waiting or in unacknowledged batches (what a crash now would lose). */
  buffered: number;
  /** Records dropped because the buffer was full (Redis down or too slow). */
  dropped: number;
  /** Records acknowledged by Redis. */
  flushed: number;
  /** Batches acknowledged by Redis. */
  batches: number;
  /** Flush attempts that failed (each is retried). */
  failedFlushes: number;
}

const optionsSchema = z.object({
  client: z.custom<Redis>((c) => typeof c === 'object' && c !== null && typeof (c as Redis).eval === 'function', {
    message: 'expected an ioredis client',
  }),
  url: z.string().regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL'),
  prefix: z.string().min(1).max(200),
  flushIntervalMs: z.number().int().positive().max(3_600_000),
  maxBatch: z.number().int().positive(),
  maxBuffered: z.number().int().positive(),
  flushTimeoutMs: z.number().int().positive(),
  replica: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, 'expected letters, digits, . _ - (1 to 200)'),
  logger: z.custom<Logger>((l) => typeof l === 'object' && l !== null, { message: 'expected a logger' }),
});

/**
 * Applies one batch atomically. KEYS[1]: the batch id key; KEYS[2]: the set of models; then, per
 * entry, its hash key and its model's index set. ARGV[1]: TTL of the batch id (s); ARGV[2]: the JSON
 * entries `{ m: model, x: index member, i: [field, int…], d: [field, float…], lo: [field, v…], hi: […] }`
 * (values as strings, so no precision is lost in Lua). Returns 1 when applied, 0 when the batch id
 * was already claimed (a retry of an applied batch).
 */
const FLUSH_SCRIPT = `
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', tonumber(ARGV[1])) == false then return 0 end
local entries = cjson.decode(ARGV[2])
for n, e in ipairs(entries) do
  local h = KEYS[1 + 2 * n]
  redis.call('SADD', KEYS[2], e.m)
  redis.call('SADD', KEYS[2 + 2 * n], e.x)
  local i = e.i
  for j = 1, #i, 2 do redis.call('HINCRBY', h, i[j], i[j + 1]) end
  local d = e.d
  for j = 1, #d, 2 do redis.call('HINCRBYFLOAT', h, d[j], d[j + 1]) end
  local lo = e.lo
  for j = 1, #lo, 2 do
    local cur = redis.call('HGET', h, lo[j])
    if cur == false or tonumber(lo[j + 1]) < tonumber(cur) then redis.call('HSET', h, lo[j], lo[j + 1]) end
  end
  local hi = e.hi
  for j = 1, #hi, 2 do
    local cur = redis.call('HGET', h, hi[j])
    if cur == false or tonumber(hi[j + 1]) > tonumber(cur) then redis.call('HSET', h, hi[j], hi[j + 1]) end
  end
end
return 1
`;

/** How long a batch id is remembered (s): a retry later than this would count twice. */
const BATCH_ID_TTL_S = 86_400;

/** Integer fields: hash field → path in VariantAggregates. */
const INT_FIELDS = [
  ['requests', (a: VariantAggregates) => a.requests],
  ['errors', (a: VariantAggregates) => a.errors],
  ['fallbacks', (a: VariantAggregates) => a.fallbacks],
  ['timeouts', (a: VariantAggregates) => a.timeouts],
  ['f:count', (a: VariantAggregates) => a.feedback.count],
  ['f:ratingCount', (a: VariantAggregates) => a.feedback.ratingCount],
  ['f:correctCount', (a: VariantAggregates) => a.feedback.correctCount],
  ['f:correctTotal', (a: VariantAggregates) => a.feedback.correctTotal],
  ['f:actualCount', (a: VariantAggregates) => a.feedback.actualCount],
  ['l:count', (a: VariantAggregates) => a.latency.count],
  ['l:zeroCount', (a: VariantAggregates) => a.latency.zeroCount],
] as const;
const FLOAT_FIELDS = [
  ['f:ratingSum', (a: VariantAggregates) => a.feedback.ratingSum],
  ['f:ratingSumSq', (a: VariantAggregates) => a.feedback.ratingSumSq],
  ['f:errorSum', (a: VariantAggregates) => a.feedback.errorSum],
  ['f:absErrorSum', (a: VariantAggregates) => a.feedback.absErrorSum],
  ['f:sqErrorSum', (a: VariantAggregates) => a.feedback.sqErrorSum],
  ['f:sqErrorSumSq', (a: VariantAggregates) => a.feedback.sqErrorSumSq],
  ['l:sum', (a: VariantAggregates) => a.latency.sum],
  ['l:sumSq', (a: VariantAggregates) => a.latency.sumSq],
] as const;

interface Entry {
  model: string;
  variant: string;
  version: number;
  agg: VariantAggregates;
}

interface Batch {
  id: string;
  records: number;
  entries: Entry[];
  /** The outstanding attempt: never more than one command per batch in flight. */
  attempt?: Promise<void> | undefined;
}

const enc = (s: string): string => encodeURIComponent(s);

/** The Redis outcome store; create one with {@link createRedisOutcomeStore}. */
export class RedisOutcomeStore implements OutcomeStore {
  /** The key prefix. */
  readonly prefix: string;
  /** This replica incarnation's id (part of every batch id). */
  readonly replica: string;
  readonly #redis: Redis;
  readonly #owned: boolean;
  readonly #log: Logger;
  readonly #maxBatch: number;
  readonly #maxBuffered: number;
  readonly #flushTimeoutMs: number;
  #pending = new Map<string, Entry>();
  #pendingRecords = 0;
  readonly #queue: Batch[] = [];
  #queuedRecords = 0;
  #seq = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #soon: ReturnType<typeof setImmediate> | undefined;
  #flushing: Promise<void> | undefined;
  #failing = false;
  #closed = false;
  readonly #stats = { dropped: 0, flushed: 0, batches: 0, failedFlushes: 0 };

  /** Use {@link createRedisOutcomeStore}. */
  constructor(options: RedisOutcomeStoreOptions) {
    const o = parseOptions('createRedisOutcomeStore', optionsSchema, options);
    this.#log = childLogger(o.logger, { component: 'redis-outcome-store' });
    let quiet = 0;
    const { client, owned } = redisClient('createRedisOutcomeStore', o, (err) => {
      // a Redis outage reports on every reconnect attempt: log at most every 10 s
      const now = Date.now();
      if (now - quiet > 10_000) this.#log.warn({ err }, 'Redis connection error');
      quiet = now;
    });
    this.#redis = client;
    this.#owned = owned;
    this.prefix = o.prefix ?? 'modelship:outcomes:';
    this.replica =
      o.replica ?? `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`.replace(/[^A-Za-z0-9._-]/g, '_');
    this.#maxBatch = o.maxBatch ?? 1000;
    this.#maxBuffered = o.maxBuffered ?? 100_000;
    this.#flushTimeoutMs = o.flushTimeoutMs ?? 2000;
    this.#timer = setInterval(() => this.#background(), o.flushIntervalMs ?? 250);
    this.#timer.unref?.();
  }

  #hashKey(model: string, variant: string, version: number): string {
    return `${this.prefix}agg:${enc(model)}:${enc(variant)}:${version}`;
  }
  #indexKey(model: string): string {
    return `${this.prefix}index:${enc(model)}`;
  }
  get #modelsKey(): string {
    return `${this.prefix}models`;
  }

  /** The delta aggregates of a key in the open buffer, or `undefined` when the buffer is full (counted). */
  #slot(id: string, key: OutcomeKey): VariantAggregates | undefined {
    if (this.#closed || this.#pendingRecords + this.#queuedRecords >= this.#maxBuffered) {
      this.#stats.dropped++;
      return undefined;
    }
    let e = this.#pending.get(id);
    if (!e) this.#pending.set(id, (e = this.#entry(key)));
    return e.agg;
  }

  #entry(key: OutcomeKey): Entry {
    return {
      model: key.model,
      variant: key.variant,
      version: key.modelVersion,
      agg: emptyAggregates(key.variant, { modelVersion: String(key.modelVersion) }),
    };
  }

  #recorded(): void {
    if (++this.#pendingRecords >= this.#maxBatch && !this.#soon) {
      this.#soon = setImmediate(() => {
        this.#soon = undefined;
        this.#background();
      });
    }
  }

  /**
   * A recorder for one (model, variant, version): synchronous, O(1), no I/O. A record beyond
   * `maxBuffered` unflushed records is dropped and counted, never thrown; an invalid outcome
   * throws `ValidationError` as the memory store's does.
   */
  recorder(key: OutcomeKey): OutcomeRecorder {
    checkKey(key);
    const id = `${key.model}\u0000${key.variant}\u0000${key.modelVersion}`;
    // known from now on (with zero counts), as in the memory store
    if (!this.#closed && !this.#pending.has(id)) this.#pending.set(id, this.#entry(key));
    return {
      prediction: (outcome) => {
        const agg = this.#slot(id, key);
        if (!agg) return;
        recordPrediction(agg, outcome);
        this.#recorded();
      },
      feedback: (outcome) => {
        const agg = this.#slot(id, key);
        if (!agg) return;
        recordFeedback(agg, outcome);
        this.#recorded();
      },
    };
  }

  /** Counters: buffered, dropped, flushed records, batches, failed flushes. */
  stats(): RedisOutcomeStoreStats {
    return { buffered: this.#pendingRecords + this.#queuedRecords, ...this.#stats };
  }

  #background(): void {
    this.flush().catch(() => undefined);
  }

  /** Seals the open buffer into a batch (with its id) at the end of the queue. */
  #seal(entries: Entry[], records: number): void {
    if (entries.length === 0) return;
    this.#queue.push({ id: `${this.replica}:${++this.#seq}`, records, entries });
    this.#queuedRecords += records;
  }

  /**
   * Sends every buffered record to Redis now, batch by batch in order; resolves when all are
   * acknowledged. Rejects (`RegistryError` `STORE_FAILURE`) when Redis fails or does not answer
   * within `flushTimeoutMs`: the batches stay buffered and are retried by the next flush.
   */
  flush(): Promise<void> {
    if (this.#flushing) return this.#flushing.then(() => this.flush());
    if (this.#pending.size > 0) {
      this.#seal([...this.#pending.values()], this.#pendingRecords);
      this.#pending = new Map();
      this.#pendingRecords = 0;
    }
    if (this.#queue.length === 0) return Promise.resolve();
    const run = async (): Promise<void> => {
      try {
        while (this.#queue.length > 0) {
          const b = this.#queue[0]!;
          b.attempt ??= this.#send(b).finally(() => (b.attempt = undefined));
          await withTimeout(b.attempt, this.#flushTimeoutMs);
          this.#queue.shift();
          this.#queuedRecords -= b.records;
          this.#stats.flushed += b.records;
          this.#stats.batches++;
        }
        if (this.#failing) this.#log.info({}, 'outcome flushes to Redis recovered');
        this.#failing = false;
      } catch (cause) {
        this.#stats.failedFlushes++;
        if (!this.#failing) this.#log.warn({ err: cause }, 'outcome flush to Redis failed; buffering');
        this.#failing = true;
        throw new RegistryError('STORE_FAILURE', `RedisOutcomeStore.flush: ${(cause as Error).message}`, {
          operation: 'RedisOutcomeStore.flush',
          details: { buffered: this.stats().buffered },
          cause,
        });
      }
    };
    const p = run().finally(() => (this.#flushing = undefined));
    this.#flushing = p.catch(() => undefined);
    return p;
  }

  async #send(b: Batch): Promise<void> {
    const keys = [`${this.prefix}batch:${b.id}`, this.#modelsKey];
    const entries = b.entries.map((e) => {
      keys.push(this.#hashKey(e.model, e.variant, e.version), this.#indexKey(e.model));
      return { m: e.model, x: `${enc(e.variant)}:${e.version}`, ...increments(e.agg) };
    });
    await this.#eval(FLUSH_SCRIPT, keys, [String(BATCH_ID_TTL_S), JSON.stringify(entries)]);
  }

  async #eval(script: string, keys: string[], args: string[]): Promise<unknown> {
    return this.#redis.eval(script, keys.length, ...keys, ...args);
  }

  async #read(model: string): Promise<Map<string, Map<number, VariantAggregates>>> {
    const members = await this.#redis.smembers(this.#indexKey(model));
    const parsed = members
      .map((m) => {
        const i = m.lastIndexOf(':');
        return { variant: decodeURIComponent(m.slice(0, i)), version: Number(m.slice(i + 1)) };
      })
      .sort((a, b) => (a.variant < b.variant ? -1 : a.variant > b.variant ? 1 : a.version - b.version));
    const pipe = this.#redis.pipeline();
    for (const p of parsed) pipe.hgetall(this.#hashKey(model, p.variant, p.version));
    const res = (await pipe.exec()) ?? [];
    const out = new Map<string, Map<number, VariantAggregates>>();
    parsed.forEach((p, i) => {
      const [err, hash] = res[i] ?? [new Error('no reply'), undefined];
      if (err) throw err;
      let byVersion = out.get(p.variant);
      if (!byVersion) out.set(p.variant, (byVersion = new Map()));
      byVersion.set(p.version, fromHash(p.variant, p.version, hash as Record<string, string>));
    });
    return out;
  }

  async #guarded<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new RegistryError('CLOSED', `${operation}: the store is closed`, { operation });
    try {
      return await fn();
    } catch (cause) {
      if (cause instanceof RegistryError || cause instanceof ValidationError) throw cause;
      throw new RegistryError('STORE_FAILURE', `${operation}: ${(cause as Error).message}`, { operation, cause });
    }
  }

  /**
   * The experiment aggregates of a model over every replica, the versions of each variant merged
   * (or only `query.versions`), as the memory store computes them. Flushes this store's buffer
   * first, so it reads its own records.
   */
  aggregates(model: string, query: AggregatesQuery = {}): Promise<ExperimentAggregates> {
    return this.#guarded('RedisOutcomeStore.aggregates', async () => {
      await this.flush();
      const data = await this.#read(model);
      const variants: Record<string, VariantAggregates> = {};
      let since = Infinity;
      let until = 0;
      for (const [variant, byVersion] of data) {
        const wanted = query.versions?.[variant];
        if (query.versions && wanted === undefined) continue;
        let merged: VariantAggregates | undefined;
        for (const [version, agg] of byVersion) {
          if (wanted !== undefined && version !== wanted) continue;
          merged = merged ? mergeAggregates(merged, agg) : agg;
        }
        if (!merged) continue;
        variants[variant] = merged;
        if (merged.firstSeen !== null) since = Math.min(since, merged.firstSeen);
        if (merged.lastSeen !== null) until = Math.max(until, merged.lastSeen);
      }
      if (since === Infinity) since = 0;
      const out: ExperimentAggregates = { schemaVersion: 1, variants, since, until: Math.max(since, until) };
      if (query.weights) out.weights = { ...query.weights };
      return out;
    });
  }

  /** Every model's aggregates in the stable JSON form (flushes this store's buffer first). */
  snapshot(): Promise<OutcomeSnapshot> {
    return this.#guarded('RedisOutcomeStore.snapshot', async () => {
      await this.flush();
      const models: OutcomeSnapshot['models'] = {};
      for (const model of (await this.#redis.smembers(this.#modelsKey)).sort()) {
        const m: Record<string, Record<string, VariantAggregates>> = {};
        for (const [variant, byVersion] of await this.#read(model)) {
          const v: Record<string, VariantAggregates> = {};
          for (const [version, agg] of byVersion) v[String(version)] = agg;
          m[variant] = v;
        }
        models[model] = m;
      }
      return { schemaVersion: 1, models };
    });
  }

  /**
   * Adds a snapshot (e.g. a replica's published one) in one atomic batch; throws
   * `ValidationError('INVALID_INPUT')` naming the field of an invalid snapshot, and writes nothing then.
   */
  merge(snapshot: OutcomeSnapshot): Promise<void> {
    const parsed = outcomeSnapshotSchema.safeParse(snapshot);
    if (!parsed.success) {
      return Promise.reject(
        new ValidationError('INVALID_INPUT', `invalid outcome snapshot: ${z.prettifyError(parsed.error)}`, {
          operation: 'RedisOutcomeStore.merge',
          cause: parsed.error,
        }),
      );
    }
    return this.#guarded('RedisOutcomeStore.merge', async () => {
      const entries: Entry[] = [];
      let records = 0;
      for (const [model, byVariant] of Object.entries(snapshot.models))
        for (const [variant, byVersion] of Object.entries(byVariant))
          for (const [version, agg] of Object.entries(byVersion)) {
            // the scheme must match the store's (the memory store's merge checks it the same way)
            mergeAggregates(emptyAggregates(variant), agg);
            entries.push({ model, variant, version: Number(version), agg });
            records += agg.requests + agg.feedback.count;
          }
      if (entries.length === 0) return;
      await this.#send({ id: `${this.replica}:merge:${randomBytes(6).toString('hex')}`, records, entries });
    });
  }

  /** Stops the timer, flushes what is buffered (best effort within `flushTimeoutMs`) and closes an owned client. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#soon) clearImmediate(this.#soon);
    this.#timer = undefined;
    try {
      await this.flush();
    } catch (err) {
      this.#log.warn({ err, buffered: this.stats().buffered }, 'final outcome flush failed; buffered outcomes lost');
    } finally {
      this.#closed = true;
      if (this.#owned) this.#redis.disconnect();
    }
  }
}

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error(`no answer from Redis within ${ms} ms`)), ms);
    p.then(
      () => {
        clearTimeout(t);
        res();
      },
      (err: unknown) => {
        clearTimeout(t);
        rej(err);
      },
    );
  });
}

function checkKey(key: OutcomeKey): void {
  const bad = (field: string, expected: string, got: unknown): never => {
    throw new ValidationError(
      'INVALID_INPUT',
      `RedisOutcomeStore.recorder: ${field}: expected ${expected}, received ${String(got)}`,
      {
        operation: 'RedisOutcomeStore.recorder',
        details: { field },
      },
    );
  };
  if (typeof key !== 'object' || key === null) bad('key', 'an object', key);
  if (typeof key.model !== 'string' || key.model === '') bad('model', 'a non-empty string', key.model);
  if (typeof key.variant !== 'string' || key.variant === '') bad('variant', 'a non-empty string', key.variant);
  if (!Number.isSafeInteger(key.modelVersion) || key.modelVersion < 0)
    bad('modelVersion', 'a non-negative integer', key.modelVersion);
}

/** The hash increments of one delta aggregate (zero fields left out). */
function increments(a: VariantAggregates): { i: string[]; d: string[]; lo: string[]; hi: string[] } {
  const i: string[] = [];
  const d: string[] = [];
  const lo: string[] = [];
  const hi: string[] = [];
  for (const [f, get] of INT_FIELDS) {
    const v = get(a);
    if (v !== 0) i.push(f, String(v));
  }
  for (const [k, v] of Object.entries(a.latency.bins)) if (v !== 0) i.push(`b:${k}`, String(v));
  for (const [f, get] of FLOAT_FIELDS) {
    const v = get(a);
    if (v !== 0) d.push(f, String(v));
  }
  if (a.latency.min !== null) lo.push('l:min', String(a.latency.min));
  if (a.latency.max !== null) hi.push('l:max', String(a.latency.max));
  if (a.firstSeen !== null) lo.push('firstSeen', String(a.firstSeen));
  if (a.lastSeen !== null) hi.push('lastSeen', String(a.lastSeen));
  return { i, d, lo, hi };
}

/** The aggregates of one hash (as written by the flush script). */
function fromHash(variant: string, version: number, h: Record<string, string>): VariantAggregates {
  const num = (f: string): number => (h[f] === undefined ? 0 : Number(h[f]));
  const opt = (f: string): number | null => (h[f] === undefined ? null : Number(h[f]));
  const agg = emptyAggregates(variant, { modelVersion: String(version) });
  agg.requests = num('requests');
  agg.errors = num('errors');
  agg.fallbacks = num('fallbacks');
  agg.timeouts = num('timeouts');
  const f = agg.feedback;
  f.count = num('f:count');
  f.ratingCount = num('f:ratingCount');
  f.ratingSum = num('f:ratingSum');
  f.ratingSumSq = num('f:ratingSumSq');
  f.correctCount = num('f:correctCount');
  f.correctTotal = num('f:correctTotal');
  f.actualCount = num('f:actualCount');
  f.errorSum = num('f:errorSum');
  f.absErrorSum = num('f:absErrorSum');
  f.sqErrorSum = num('f:sqErrorSum');
  f.sqErrorSumSq = num('f:sqErrorSumSq');
  const l = agg.latency;
  l.count = num('l:count');
  l.sum = num('l:sum');
  l.sumSq = num('l:sumSq');
  l.zeroCount = num('l:zeroCount');
  l.min = opt('l:min');
  l.max = opt('l:max');
  const bins = Object.keys(h)
    .filter((k) => k.startsWith('b:'))
    .map((k) => k.slice(2))
    .sort((a, b) => Number(a) - Number(b));
  for (const k of bins) l.bins[k] = num(`b:${k}`);
  agg.firstSeen = opt('firstSeen');
  agg.lastSeen = opt('lastSeen');
  return agg;
}

/**
 * Creates a {@link RedisOutcomeStore}: what every serving replica's router records into and the
 * controller reads (`aggregates()`), exactly as if one store saw everything. Throws
 * `ValidationError` `INVALID_OPTIONS` naming the field of a bad option.
 *
 * A crash (SIGKILL, OOM) loses at most the records not yet acknowledged: those of the last
 * `flushIntervalMs` (or `maxBatch` records), never more than `maxBuffered`; a batch is applied
 * whole or not at all, and a retried batch is never counted twice.
 *
 * @example
 * ```ts
 * const outcomes = createRedisOutcomeStore({ url: 'redis://127.0.0.1:6379' });
 * const router = createModelRouter({ registry, model: 'iris', hmacKey, outcomeStore: outcomes }); // a replica
 * const controller = createController({ registry, outcomes, models: { iris: {} } }); // the controller
 * await outcomes.close(); // flushes
 * ```
 */
export function createRedisOutcomeStore(options: RedisOutcomeStoreOptions): RedisOutcomeStore {
  return new RedisOutcomeStore(options);
}
