import { afterAll, afterEach, beforeAll, beforeEach, describe } from 'vitest';
import { aliasGroups } from './group-aliases.js';
import { deploymentGroups } from './group-deployment.js';
import { basicGroups } from './group-basics.js';
import { safetyGroups } from './group-safety.js';
import { createContext } from './context.js';
import type { ConformanceOptions } from './harness.js';

/** The groups of the suite, in order (each is a `describe` block of that name). */
export const CONFORMANCE_GROUPS = [
  'round trip',
  'immutability',
  'concurrency',
  'aliases and compare-and-set',
  'history and rollback',
  'rollout',
  'deployment',
  'integrity',
  'key safety',
  'events',
  'close and reopen',
  'large artifacts',
] as const;

/**
 * Defines the registry conformance suite (vitest) for one store: every group of
 * {@link CONFORMANCE_GROUPS}, each test on a fresh store from `createStore`. Nothing is skipped.
 *
 * @example
 * ```ts
 * runRegistryConformance({
 *   name: 'MemoryStore',
 *   createStore: async () => {
 *     const store = new MemoryStore();
 *     return { store, reopen: async () => store, destroy: async () => {} };
 *   },
 * });
 * ```
 */
export function runRegistryConformance(options: ConformanceOptions): void {
  describe(`registry conformance: ${options.name}`, { timeout: options.timeoutMs ?? 60_000 }, () => {
    const ctx = createContext(options);
    if (options.setup) beforeAll(() => options.setup!(), 120_000);
    if (options.teardown) afterAll(() => options.teardown!(), 60_000);
    beforeEach(() => ctx.begin());
    afterEach(() => ctx.end());
    basicGroups(ctx);
    aliasGroups(ctx);
    deploymentGroups(ctx);
    safetyGroups(ctx);
  });
}
