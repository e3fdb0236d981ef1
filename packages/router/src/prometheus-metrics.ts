import { createRequire } from 'node:module';
import type { Counter, Histogram, Registry } from 'prom-client';

/** Buckets of the Prometheus latency histogram, in seconds, from 5 µs to 2.5 s. */
export const PROMETHEUS_LATENCY_BUCKETS = [
  0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
  0.5, 1, 2.5,
];

/** Prometheus metric children of one (variant, model version), created once and reused on the hot path. */
export interface PrometheusVariantMetrics {
  /** Observes one prediction's latency in seconds and counts it. */
  observe(seconds: number): void;
}

type PromModule = typeof import('prom-client');
let prom: PromModule | undefined;
function loadProm(): PromModule {
  if (!prom) prom = createRequire(import.meta.url)('prom-client') as PromModule;
  return prom;
}

/**
 * The router's Prometheus metrics, registered on a registry passed in (never the global one).
 * Metrics already present on the registry (another router of another model) are reused.
 *
 * - `modelship_prediction_duration_seconds{model,variant,model_version}` histogram
 * - `modelship_predictions_total{model,variant,model_version}`
 * - `modelship_prediction_errors_total{model,variant,kind}` (`kind`: `client` or `model`)
 * - `modelship_fallbacks_total{model,variant,model_version,reason}` (the failing variant)
 * - `modelship_shadow_predictions_total{model,variant,model_version,outcome}` (`ok` or `error`)
 * - `modelship_feedback_total{model,variant,model_version}`
 * - `modelship_model_swaps_total{model}`
 */
export class PrometheusMetrics {
  readonly #model: string;
  readonly #duration: Histogram<string>;
  readonly #predictions: Counter<string>;
  readonly #errors: Counter<string>;
  readonly #fallbacks: Counter<string>;
  readonly #shadow: Counter<string>;
  readonly #feedback: Counter<string>;
  readonly #swaps: Counter<string>;
  readonly #children = new Map<string, PrometheusVariantMetrics>();

  /** Registers the metrics on `registry` (or reuses those already there) for `model`. */
  constructor(registry: Registry, model: string) {
    const p = loadProm();
    this.#model = model;
    const get = <T>(name: string, make: () => T): T => (registry.getSingleMetric(name) as T | undefined) ?? make();
    const labels = ['model', 'variant', 'model_version'];
    this.#duration = get(
      'modelship_prediction_duration_seconds',
      () =>
        new p.Histogram({
          name: 'modelship_prediction_duration_seconds',
          help: 'Time spent answering a prediction, by variant and model version.',
          labelNames: labels,
          buckets: PROMETHEUS_LATENCY_BUCKETS,
          registers: [registry],
        }),
    );
    this.#predictions = get(
      'modelship_predictions_total',
      () =>
        new p.Counter({
          name: 'modelship_predictions_total',
          help: 'Predictions answered, by variant and model version.',
          labelNames: labels,
          registers: [registry],
        }),
    );
    this.#errors = get(
      'modelship_prediction_errors_total',
      () =>
        new p.Counter({
          name: 'modelship_prediction_errors_total',
          help: 'Failed predictions: kind "client" for invalid input, "model" when production failed.',
          labelNames: ['model', 'variant', 'kind'],
          registers: [registry],
        }),
    );
    this.#fallbacks = get(
      'modelship_fallbacks_total',
      () =>
        new p.Counter({
          name: 'modelship_fallbacks_total',
          help: 'Requests a variant failed (error, timeout, non-finite answer) and production answered, by the failing variant.',
          labelNames: [...labels, 'reason'],
          registers: [registry],
        }),
    );
    this.#shadow = get(
      'modelship_shadow_predictions_total',
      () =>
        new p.Counter({
          name: 'modelship_shadow_predictions_total',
          help: 'Mirrored (shadow) predictions, by outcome.',
          labelNames: [...labels, 'outcome'],
          registers: [registry],
        }),
    );
    this.#feedback = get(
      'modelship_feedback_total',
      () =>
        new p.Counter({
          name: 'modelship_feedback_total',
          help: 'Feedback recorded, by variant and model version.',
          labelNames: labels,
          registers: [registry],
        }),
    );
    this.#swaps = get(
      'modelship_model_swaps_total',
      () =>
        new p.Counter({
          name: 'modelship_model_swaps_total',
          help: 'Hot swaps of the served models.',
          labelNames: ['model'],
          registers: [registry],
        }),
    );
  }

  /** The cached children of one (variant, version): call once per swap, reuse per request. */
  variant(variant: string, modelVersion: number): PrometheusVariantMetrics {
    const key = `${variant}\u0000${modelVersion}`;
    let child = this.#children.get(key);
    if (!child) {
      const version = String(modelVersion);
      const h = this.#duration.labels(this.#model, variant, version);
      const c = this.#predictions.labels(this.#model, variant, version);
      child = {
        observe(seconds: number): void {
          h.observe(seconds);
          c.inc();
        },
      };
      this.#children.set(key, child);
    }
    return child;
  }

  /** Counts a failed prediction (`client`: invalid input; `model`: production failed). */
  error(variant: string, kind: 'client' | 'model'): void {
    this.#errors.labels(this.#model, variant, kind).inc();
  }

  /** Counts a fallback against the failing variant. */
  fallback(variant: string, modelVersion: number, reason: string): void {
    this.#fallbacks.labels(this.#model, variant, String(modelVersion), reason).inc();
  }

  /** Counts a shadow prediction by outcome. */
  shadow(variant: string, modelVersion: number, outcome: 'ok' | 'error'): void {
    this.#shadow.labels(this.#model, variant, String(modelVersion), outcome).inc();
  }

  /** Counts a recorded feedback. */
  feedback(variant: string, modelVersion: number): void {
    this.#feedback.labels(this.#model, variant, String(modelVersion)).inc();
  }

  /** Counts a hot swap. */
  swapped(): void {
    this.#swaps.labels(this.#model).inc();
  }
}
