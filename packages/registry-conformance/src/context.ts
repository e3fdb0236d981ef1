import { createRegistry, type ModelRegistry, type RegistryOptions, type Store } from '@modelship/core';
import type { ConformanceHarness, ConformanceOptions } from './harness.js';

/** What each group's tests use: the current harness and registries closed after each test. */
export interface SuiteContext {
  /** The suite's options. */
  options: ConformanceOptions;
  /** The harness of the running test. */
  harness(): ConformanceHarness;
  /** A registry over the harness store (or `store`), closed after the test. */
  registry(opts?: Partial<RegistryOptions<Uint8Array>>, store?: Store): ModelRegistry<Uint8Array>;
}

/** Creates the context and the before/after hooks that maintain it. */
export function createContext(
  options: ConformanceOptions,
): SuiteContext & { begin(): Promise<void>; end(): Promise<void> } {
  let current: ConformanceHarness | undefined;
  const open: ModelRegistry<Uint8Array>[] = [];
  return {
    options,
    harness() {
      if (!current) throw new Error('registry-conformance: no harness (createStore failed?)');
      return current;
    },
    registry(opts = {}, store) {
      const r = createRegistry<Uint8Array>({ store: store ?? this.harness().store, closeStore: false, ...opts });
      open.push(r);
      return r;
    },
    async begin() {
      current = await options.createStore();
    },
    async end() {
      for (const r of open.splice(0)) await r.close();
      const h = current;
      current = undefined;
      await h?.destroy();
    },
  };
}
