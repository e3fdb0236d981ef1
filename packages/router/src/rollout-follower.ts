import { loadModel, type Logger, type OutcomeStore } from '@modelship/core';
import { RouterError } from './errors.js';
import type { PrometheusMetrics } from './prometheus-metrics.js';
import type { RolloutSource, RolloutWatcher, RouterRollout } from './rollout-source.js';
import type { ModelLoader, ServableModel } from './servable-model.js';
import { buildSnapshot, type Snapshot } from './snapshot.js';

/** What the follower needs from its router. */
export interface RolloutFollowerOptions {
  readonly registry: RolloutSource;
  readonly model: string;
  readonly pollIntervalMs: number;
  readonly logger: Logger;
  readonly loadModel: ModelLoader | undefined;
  readonly metrics: PrometheusMetrics | undefined;
  readonly outcomes: OutcomeStore | undefined;
  readonly random: () => number;
  /** The snapshot in force. */
  current(): Snapshot | undefined;
  /** Installs a new snapshot (the atomic swap). */
  install(snapshot: Snapshot, loadMs: number): void;
}

/** core's `loadModel`, checking the bytes against the sha256 the registry recorded. */
const defaultLoader: ModelLoader = (bytes, info) =>
  loadModel(bytes, info.sha256 !== undefined ? { expectedSha256: info.sha256 } : {});

/**
 * Follows a model's rollout: on every change, loads (and verifies) the versions it names,
 * builds a snapshot and installs it. Changes that arrive during a load are coalesced: the
 * latest wins; stale revisions are ignored. A failed load keeps the current snapshot and is
 * retried on the next change or poll.
 */
export class RolloutFollower {
  /** Resolves after the first snapshot is installed; rejects if the first attempt fails. */
  readonly ready: Promise<void>;
  readonly #o: RolloutFollowerOptions;
  readonly #load: ModelLoader;
  readonly #models = new Map<number, Promise<ServableModel>>();
  #watcher: RolloutWatcher | undefined;
  #desired: RouterRollout | undefined;
  #pumping = false;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;
  #settle!: { resolve: () => void; reject: (err: unknown) => void; done: boolean };
  /** The last load error, if the last attempt failed. */
  lastError: unknown;

  constructor(options: RolloutFollowerOptions) {
    this.#o = options;
    this.#load = options.loadModel ?? defaultLoader;
    this.ready = new Promise<void>((resolve, reject) => {
      this.#settle = { resolve, reject, done: false };
    });
    this.ready.catch(() => {}); // observed by the caller of router.ready(); never unhandled
    void this.#start();
  }

  async #start(): Promise<void> {
    try {
      const watcher = this.#o.registry.watch(this.#o.model, { intervalMs: this.#o.pollIntervalMs });
      this.#watcher = watcher;
      watcher.on('rolloutChanged', (e) => this.offer(e.rollout));
      if (typeof this.#o.registry.on === 'function') this.#o.registry.on('rolloutChanged', this.#onLocal);
      if (watcher.ready) await watcher.ready;
      if (this.#closed) return;
      if (!this.#desired && !this.#pumping && !this.#o.current()) {
        const rollout = await this.#o.registry.getRollout(this.#o.model);
        if (rollout) this.offer(rollout);
        else
          this.#fail(
            new RouterError(
              'NOT_READY',
              `model "${this.#o.model}" has no rollout yet; the router will serve once one is set`,
              { operation: 'router.ready' },
            ),
          );
      }
    } catch (err) {
      this.#fail(
        new RouterError(
          'LOAD_FAILED',
          `could not follow the rollout of "${this.#o.model}": ${(err as Error)?.message ?? String(err)}`,
          { operation: 'router.ready', cause: err },
        ),
      );
    }
  }

  #fail(err: unknown): void {
    this.lastError = err;
    if (!this.#settle.done) {
      this.#settle.done = true;
      this.#settle.reject(err);
    }
  }

  /** Offers a rollout (from the watcher or a caller); the latest offered wins. */
  offer(rollout: RouterRollout): void {
    if (this.#closed) return;
    if (this.#desired && this.#desired.revision > rollout.revision) return;
    this.#desired = rollout;
    if (!this.#pumping) void this.#pump();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#desired && !this.#closed) {
        const rollout = this.#desired;
        this.#desired = undefined;
        const current = this.#o.current();
        if (current && current.rollout.revision >= rollout.revision) continue;
        const t0 = performance.now();
        try {
          const versions =
            rollout.candidate === undefined ? [rollout.production] : [rollout.production, rollout.candidate];
          const loaded = await Promise.all(versions.map((v) => this.#model(v)));
          if (this.#closed) return;
          const models = new Map(versions.map((v, i) => [v, loaded[i]!]));
          const snapshot = buildSnapshot(
            this.#o.model,
            rollout,
            models,
            this.#o.metrics,
            this.#o.outcomes,
            this.#o.random,
          );
          this.#o.install(snapshot, performance.now() - t0);
          this.lastError = undefined;
          for (const v of [...this.#models.keys()]) if (!models.has(v)) this.#models.delete(v);
          if (!this.#settle.done) {
            this.#settle.done = true;
            this.#settle.resolve();
          }
        } catch (err) {
          this.#o.logger.error({ err, rollout }, 'router could not load the rollout; still serving the previous one');
          this.#fail(
            new RouterError(
              'LOAD_FAILED',
              `could not load rollout revision ${rollout.revision} of "${this.#o.model}": ${(err as Error)?.message ?? String(err)}`,
              { operation: 'router.load', cause: err },
            ),
          );
          if (this.#retry) clearTimeout(this.#retry);
          this.#retry = setTimeout(() => {
            if (!this.#desired) this.offer(rollout);
          }, this.#o.pollIntervalMs);
          this.#retry.unref?.();
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  #model(version: number): Promise<ServableModel> {
    let p = this.#models.get(version);
    if (!p) {
      const name = this.#o.model;
      p = (async () => {
        const loaded = await this.#o.registry.load(name, version);
        const sha256 = loaded.version?.sha256;
        const model = await this.#load(loaded.bytes, { name, version, ...(sha256 !== undefined ? { sha256 } : {}) });
        if (typeof model?.predict !== 'function')
          throw new RouterError('LOAD_FAILED', `loadModel returned no predict() for "${name}" version ${version}`, {
            operation: 'router.load',
          });
        return model;
      })();
      p.catch(() => this.#models.delete(version));
      this.#models.set(version, p);
    }
    return p;
  }

  /** Reads the rollout now and offers it (a nudge, e.g. while someone waits for a revision); errors are logged. */
  refresh(): void {
    if (this.#closed) return;
    Promise.resolve()
      .then(() => this.#o.registry.getRollout(this.#o.model))
      .then(
        (r) => {
          if (r) this.offer(r);
        },
        (err: unknown) => this.#o.logger.warn({ err }, 'router could not read the rollout'),
      );
  }

  readonly #onLocal = (e: { name: string; rollout: RouterRollout }): void => {
    if (e.name === this.#o.model) this.offer(e.rollout);
  };

  /** Stops following. */
  close(): void {
    this.#o.registry.off?.('rolloutChanged', this.#onLocal);
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    this.#watcher?.close();
  }
}
