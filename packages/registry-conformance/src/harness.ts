import type { Store } from '@modelship/core';

/** One store under test, created fresh for each test. */
export interface ConformanceHarness {
  /** A fresh, empty store. */
  store: Store;
  /** A new store instance on the same backing data (simulates another process or a restart). */
  reopen(): Promise<Store>;
  /**
   * Everything written outside the store's root folder or prefix since the harness was created
   * (paths or keys); must stay empty. Optional: without it the check is only on the store's keys.
   */
  outsideWrites?(): Promise<string[]>;
  /** Removes what the harness created. */
  destroy(): Promise<void>;
}

/** Options of {@link runRegistryConformance}. */
export interface ConformanceOptions {
  /** The store's name, shown in the suite title. */
  name: string;
  /** Creates a fresh harness (called before each test). */
  createStore(): Promise<ConformanceHarness>;
  /** Called once before the suite (e.g. to start a server); default none. */
  setup?(): Promise<void>;
  /** Called once after the suite; default none. */
  teardown?(): Promise<void>;
  /** Size of the large-artifact test in bytes; default 24 MiB. */
  largeArtifactBytes?: number;
  /** How many registrations race in the concurrency group; default 16. */
  concurrency?: number;
  /** Per-test timeout in milliseconds; default 60,000. */
  timeoutMs?: number;
}
