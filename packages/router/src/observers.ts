/**
 * Observers of what the router serves (a drift sink, a feature logger…): told of every answered
 * request and of every swap, off the request path.
 */
import type { Logger, ModelArtifact } from '@modelship/core';
import type { RouterRollout } from './rollout-source.js';

/** A model version as the router serves it, as observers see it. */
export interface ServedModelInfo {
  /** The model name. */
  readonly model: string;
  /** The variant: `'production'` or `'candidate'`. */
  readonly variant: string;
  /** The model version. */
  readonly version: number;
  /** The version's artifact (its `profile`, `metrics`…); `undefined` when the loader's model carries none (core's `Model` does). */
  readonly artifact: ModelArtifact | undefined;
}

/**
 * Watches what the router serves; plain structural interface, so a package that the router does
 * not import (e.g. `@modelship/drift`'s `createDriftSink`) implements it. Calls are queued on the
 * request path in O(1) and delivered in a later `setImmediate` turn, in order; an observer that
 * throws is logged and never breaks a request.
 */
export interface ServedObserver {
  /**
   * A request was answered by `served` (after a fallback, production). `input` is the request
   * as given (read after the request returned: do not mutate it), `prediction` the model's answer.
   * Mirrored (shadow) calls are not reported.
   */
  onServe(served: ServedModelInfo, input: unknown, prediction: unknown): void;
  /** The router swapped to `rollout`; `served` lists the variants it serves now (production first). Also called for the first load. */
  onSwap?(served: readonly ServedModelInfo[], rollout: RouterRollout): void;
}

type Item =
  | { kind: 'serve'; served: ServedModelInfo; input: unknown; prediction: unknown }
  | { kind: 'swap'; served: readonly ServedModelInfo[]; rollout: RouterRollout };

/** Delivers observer calls off the request path: a bounded queue drained in a `setImmediate` turn. */
export class ObserverQueue {
  /** Serve notifications dropped because the queue was full (swaps are never dropped). */
  dropped = 0;
  readonly #observers: readonly ServedObserver[];
  readonly #logger: Logger;
  readonly #max: number;
  #queue: Item[] = [];
  #scheduled = false;

  constructor(observers: readonly ServedObserver[], logger: Logger, maxQueue: number) {
    this.#observers = observers;
    this.#logger = logger;
    this.#max = maxQueue;
  }

  /** Whether there is any observer (the router skips the queue otherwise). */
  get active(): boolean {
    return this.#observers.length > 0;
  }

  /** Queues a served request. */
  serve(served: ServedModelInfo, input: unknown, prediction: unknown): void {
    if (this.#queue.length >= this.#max) {
      this.dropped++;
      return;
    }
    this.#queue.push({ kind: 'serve', served, input, prediction });
    this.#schedule();
  }

  /** Queues a swap. */
  swap(served: readonly ServedModelInfo[], rollout: RouterRollout): void {
    this.#queue.push({ kind: 'swap', served, rollout });
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.drain());
  }

  /** Delivers every queued call now. */
  drain(): void {
    this.#scheduled = false;
    const queue = this.#queue;
    this.#queue = [];
    for (const item of queue) {
      for (const o of this.#observers) {
        try {
          if (item.kind === 'serve') o.onServe(item.served, item.input, item.prediction);
          else o.onSwap?.(item.served, item.rollout);
        } catch (err) {
          this.#logger.error({ err, kind: item.kind }, 'router observer failed');
        }
      }
    }
  }
}
