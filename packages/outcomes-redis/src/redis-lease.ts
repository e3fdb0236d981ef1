/**
 * The controller's lease on Redis, an alternative to the registry lease: one key set with
 * `SET NX PX`, renewed and released by Lua compare-and-set scripts, and a fencing epoch from `INCR`
 * that increases on every change of holder. Implements the controller's lease interface
 * structurally (`createController({ lease })`), without importing the controller.
 */
import { RegistryError, ValidationError } from '@modelship/core';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { parseOptions, redisClient } from './options.js';

/** What {@link RedisLease.tryAcquire} concluded (the controller's `LeaseState`). */
export interface RedisLeaseState {
  /** True when this controller holds the lease now. */
  leader: boolean;
  /** The epoch held (when leader) or seen (0 when nobody holds it). */
  epoch: number;
  /** The current holder (`''` when nobody holds it). */
  holder: string;
  /** True when this call acquired it (it was not held by us before). */
  acquired: boolean;
}

/** Options of {@link createRedisLease}. */
export interface RedisLeaseOptions {
  /** An ioredis client (the caller owns it). Give this or `url`. */
  client?: Redis;
  /** A Redis URL; the lease opens its own client and closes it on `close()`. */
  url?: string;
  /** The controller id that holds (or wants) the lease: the controller's `id`. */
  id: string;
  /** The lease's name (one per controller deployment); default `'controller'`. */
  name?: string;
  /** Prefix of its keys; default `'modelship:lease:'`. */
  prefix?: string;
  /** How long the lease lasts after each renewal (ms); default 30,000. Redis expires it (`PX`). */
  durationMs?: number;
  /** How often the controller renews or observes it (ms); default a fifth of `durationMs`. */
  checkMs?: number;
  /**
   * The smallest epoch to hand out (default 0): when moving from the registry lease, the highest
   * fence epoch in the rollout records, so that the first Redis epoch is above it.
   */
  epochFloor?: number;
  /** The clock (epoch ms) by which the holder counts its own leadership; default `Date.now`. */
  clock?: () => number;
}

const optionsSchema = z.object({
  client: z.custom<Redis>((c) => typeof c === 'object' && c !== null && typeof (c as Redis).eval === 'function', {
    message: 'expected an ioredis client',
  }),
  url: z.string().regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL'),
  id: z.string().min(1).max(200),
  name: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, 'expected letters, digits, . _ - (1 to 200)'),
  prefix: z.string().min(1).max(200),
  durationMs: z.number().int().min(10).max(86_400_000),
  checkMs: z.number().int().positive(),
  epochFloor: z.number().int().nonnegative(),
  clock: z.custom<() => number>((c) => typeof c === 'function', { message: 'expected a function' }),
});

/**
 * KEYS[1]: the lease, KEYS[2]: the epoch counter. ARGV: id, duration (ms), the epoch we hold (or
 * ''), the epoch floor. Renews when we hold it (same holder and epoch); acquires under a new epoch
 * when it is absent (expired) or is ours from a previous run; else reports the holder.
 * Returns { leader, epoch, holder, acquired }.
 */
const ACQUIRE = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local v = cjson.decode(cur)
  if v.holder == ARGV[1] and tostring(v.epoch) == ARGV[3] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return {1, v.epoch, v.holder, 0}
  end
  if v.holder ~= ARGV[1] or ARGV[3] ~= '' then return {0, v.epoch, v.holder, 0} end
end
local floor = tonumber(ARGV[4])
if tonumber(redis.call('GET', KEYS[2]) or '0') < floor then redis.call('SET', KEYS[2], floor) end
local e = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], cjson.encode({holder = ARGV[1], epoch = e}), 'PX', ARGV[2])
return {1, e, ARGV[1], 1}
`;

/** Deletes the lease only when it is still ours (holder and epoch). */
const RELEASE = `
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local v = cjson.decode(cur)
if v.holder == ARGV[1] and tostring(v.epoch) == ARGV[2] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** The Redis lease; create one with {@link createRedisLease}. */
export class RedisLease {
  /** The controller id that holds (or wants) the lease. */
  readonly id: string;
  /** How long the lease lasts after each renewal (ms). */
  readonly durationMs: number;
  /** How often the lease is checked (renewed or observed). */
  readonly checkMs: number;
  /** The lease key. */
  readonly key: string;
  /** The epoch counter key. */
  readonly epochKey: string;
  readonly #redis: Redis;
  readonly #owned: boolean;
  readonly #clock: () => number;
  readonly #floor: number;
  #held: { epoch: number; until: number } | undefined;

  /** Use {@link createRedisLease}. */
  constructor(options: RedisLeaseOptions) {
    const o = parseOptions('createRedisLease', optionsSchema, options);
    if (o.id === undefined) {
      throw new ValidationError(
        'INVALID_OPTIONS',
        'createRedisLease: id: expected the controller id, received undefined',
        {
          operation: 'createRedisLease',
          details: { field: 'id' },
        },
      );
    }
    const { client, owned } = redisClient('createRedisLease', o);
    this.#redis = client;
    this.#owned = owned;
    this.id = o.id;
    this.durationMs = o.durationMs ?? 30_000;
    this.checkMs = o.checkMs ?? Math.max(1, Math.floor(this.durationMs / 5));
    if (this.checkMs >= this.durationMs) {
      throw new ValidationError(
        'INVALID_OPTIONS',
        `createRedisLease: checkMs: expected less than durationMs (${this.durationMs}), received ${this.checkMs}`,
        { operation: 'createRedisLease', details: { field: 'checkMs' } },
      );
    }
    const base = `${o.prefix ?? 'modelship:lease:'}${o.name ?? 'controller'}`;
    this.key = base;
    this.epochKey = `${base}:epoch`;
    this.#clock = o.clock ?? Date.now;
    this.#floor = o.epochFloor ?? 0;
  }

  /** The epoch held, if leader and not expired by our own clock (70 % of the lease after each renewal). */
  heldEpoch(): number | undefined {
    const h = this.#held;
    return h && this.#clock() < h.until ? h.epoch : undefined;
  }

  /** Forgets leadership (after a FENCED write or a failed renewal). */
  drop(): void {
    this.#held = undefined;
  }

  /**
   * Acquires, renews or observes the lease: renews when we hold it, acquires it (new epoch) when
   * Redis has expired it, else reports the holder. A deposed leader's renewal fails (another
   * holder or epoch is in the key). Throws `RegistryError` `STORE_FAILURE` when Redis fails.
   */
  async tryAcquire(): Promise<RedisLeaseState> {
    const now = this.#clock();
    const held = this.heldEpoch() ?? this.#held?.epoch;
    let r: [number, number, string, number];
    try {
      r = (await this.#redis.eval(
        ACQUIRE,
        2,
        this.key,
        this.epochKey,
        this.id,
        String(this.durationMs),
        held === undefined ? '' : String(held),
        String(this.#floor),
      )) as [number, number, string, number];
    } catch (cause) {
      this.#held = undefined;
      throw new RegistryError('STORE_FAILURE', `RedisLease.tryAcquire: ${(cause as Error).message}`, {
        operation: 'RedisLease.tryAcquire',
        cause,
      });
    }
    const [leader, epoch, holder, acquired] = r;
    if (leader === 1) {
      // leadership ends well before Redis expires the key: a margin for the call's latency and clock rates
      this.#held = { epoch, until: now + Math.floor(this.durationMs * 0.7) };
      return { leader: true, epoch, holder, acquired: acquired === 1 };
    }
    this.#held = undefined;
    return { leader: false, epoch, holder, acquired: false };
  }

  /** Releases the lease if we hold it (a successor takes over at once). */
  async release(): Promise<void> {
    const h = this.#held;
    this.#held = undefined;
    if (!h) return;
    await this.#redis.eval(RELEASE, 1, this.key, this.id, String(h.epoch));
  }

  /** Closes the client if the lease opened it (from `url`). */
  async close(): Promise<void> {
    if (this.#owned) this.#redis.disconnect();
  }
}

/**
 * Creates a {@link RedisLease} for `createController({ lease })`. Throws `ValidationError`
 * `INVALID_OPTIONS` naming the field of a bad option.
 *
 * @example
 * ```ts
 * const lease = createRedisLease({ url: 'redis://127.0.0.1:6379', id: 'controller-a', durationMs: 15_000 });
 * const controller = createController({ registry, outcomes, lease, models: { iris: {} } });
 * ```
 */
export function createRedisLease(options: RedisLeaseOptions): RedisLease {
  return new RedisLease(options);
}
