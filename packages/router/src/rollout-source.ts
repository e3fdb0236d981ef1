/**
 * Where the router reads a model's rollout and artifacts: the narrow view of a model registry
 * it needs; `@modelship/core`'s `ModelRegistry` (over any store) satisfies it, and a test can
 * fake it in a few lines.
 */

/** The rollout fields the router follows (a subset of core's `RolloutRecord`). */
export interface RouterRollout {
  /** The version that answers requests. */
  readonly production: number;
  /** The version under test, if any. */
  readonly candidate?: number | undefined;
  /** Traffic fractions in [0, 1]: `{ production, candidate? }`. */
  readonly weights: {
    /** Production's fraction. */
    readonly production: number;
    /** The candidate's fraction, when there is a candidate. */
    readonly candidate?: number | undefined;
  };
  /** `'split'` and `'ramp'` split traffic by weight; `'shadow'` mirrors production's traffic to the candidate. */
  readonly mode: 'split' | 'shadow' | 'ramp';
  /** The salt of the sticky assignment. */
  readonly salt: string;
  /** Increases on every change of the rollout. */
  readonly revision: number;
}

/** Emits `rolloutChanged` whenever the watched model's rollout changes (core's `RegistryWatcher`). */
export interface RolloutWatcher {
  /** Subscribes to rollout changes. */
  on(event: 'rolloutChanged', listener: (event: { rollout: RouterRollout }) => void): unknown;
  /** Resolves after the first poll, if the watcher has such a promise. */
  readonly ready?: Promise<void>;
  /** Stops watching. */
  close(): void;
}

/** What the router calls to follow a rollout and load its versions (core's `ModelRegistry` is one). */
export interface RolloutSource {
  /** The current rollout of a model, `undefined` when none is set. */
  getRollout(name: string): Promise<RouterRollout | undefined>;
  /** Follows a model's rollout. */
  watch(name: string, options?: { intervalMs?: number }): RolloutWatcher;
  /** The verified artifact bytes of a version (checked against its recorded sha256). */
  load(
    name: string,
    version: number,
  ): Promise<{
    /** The verified artifact bytes. */
    bytes: Uint8Array;
    /** The version record, when the source returns it. */
    version?: {
      /** The recorded sha256 of the bytes. */
      sha256?: string;
    };
  }>;
  /** In-process change notifications (core's registry emits `rolloutChanged` on `setRollout`); optional, polling covers other replicas. */
  on?(event: 'rolloutChanged', listener: (event: { name: string; rollout: RouterRollout }) => void): unknown;
  /** Removes a listener added with `on`. */
  off?(event: 'rolloutChanged', listener: (event: { name: string; rollout: RouterRollout }) => void): unknown;
  /** A version's record; used, when present, to tell unknown versions in feedback apart. */
  getVersion?(name: string, version: number): Promise<unknown>;
}
