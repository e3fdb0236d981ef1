import type { PrometheusMetrics } from './prometheus-metrics.js';
import type { PredictionLog, PredictionRecord } from './prediction-log.js';
import type { RoutedPrediction } from './routed-prediction.js';
import type { ServedVariant } from './snapshot.js';

/** What a {@link ShadowRunner} needs. */
export interface ShadowRunnerOptions {
  /** The model name. */
  readonly model: string;
  /** Where shadow answers are recorded. */
  readonly log: PredictionLog;
  /** Metrics, when on. */
  readonly metrics: PrometheusMetrics | undefined;
  /** High-resolution timer in ms. */
  readonly timer: () => number;
  /** Queued mirrored requests beyond which new ones are dropped. */
  readonly maxQueue: number;
  /** Whether an answer counts as a success. */
  readonly isValidAnswer: (answer: unknown) => boolean;
}

/**
 * Runs mirrored (shadow) calls off the request path: requests are queued in O(1) and run in a
 * `setImmediate` turn; the answers are logged with `shadow: true` under the primary request's
 * id and never returned; failures are counted on the shadow variant and never thrown.
 */
export class ShadowRunner {
  /** Mirrored requests dropped because the queue was full. */
  dropped = 0;
  readonly #o: ShadowRunnerOptions;
  #queue: { v: ServedVariant; input: unknown; primary: RoutedPrediction }[] = [];
  #scheduled = false;

  constructor(options: ShadowRunnerOptions) {
    this.#o = options;
  }

  /** Queues a copy of a request for the shadow variant `v`. */
  enqueue(v: ServedVariant, input: unknown, primary: RoutedPrediction): void {
    if (this.#queue.length >= this.#o.maxQueue) {
      this.dropped++;
      return;
    }
    this.#queue.push({ v, input, primary });
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  /** Runs every queued call now. */
  drain(): void {
    this.#scheduled = false;
    const queue = this.#queue;
    this.#queue = [];
    const { timer, log, metrics, model, isValidAnswer } = this.#o;
    for (const { v, input, primary } of queue) {
      const t0 = timer();
      let prediction: unknown;
      let error: string | undefined;
      try {
        prediction = v.model.predict(input);
        if (!isValidAnswer(prediction)) error = 'non-finite answer';
      } catch (err) {
        error = (err as Error)?.message ?? String(err);
      }
      const latencyMs = timer() - t0;
      v.outcomes?.prediction({ latencyMs, error: error !== undefined, at: primary.time });
      metrics?.shadow(v.name, v.version, error === undefined ? 'ok' : 'error');
      const rec: PredictionRecord = {
        get requestId() {
          return primary.requestId;
        },
        time: primary.time,
        model,
        variant: v.name,
        modelVersion: v.version,
        latencyMs,
        prediction,
        input,
        shadow: true,
        ...(error !== undefined ? { error } : {}),
      };
      log.record(rec);
    }
  }
}
