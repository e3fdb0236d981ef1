/**
 * `@modelship/outcomes-redis`: the outcome store shared by every serving replica on Redis
 * (batched, atomic increments: a crash loses at most the unflushed buffer) and a Redis lease for
 * the controller.
 *
 * ```ts
 * import { createRedisLease, createRedisOutcomeStore } from '@modelship/outcomes-redis';
 * const outcomes = createRedisOutcomeStore({ url: 'redis://127.0.0.1:6379' });
 * ```
 *
 * @module
 */
export { RedisOutcomeStore, createRedisOutcomeStore } from './redis-outcome-store.js';
export type { RedisOutcomeStoreOptions, RedisOutcomeStoreStats } from './redis-outcome-store.js';
export { RedisLease, createRedisLease } from './redis-lease.js';
export type { RedisLeaseOptions, RedisLeaseState } from './redis-lease.js';
