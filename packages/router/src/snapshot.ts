import type { PrometheusMetrics, PrometheusVariantMetrics } from './prometheus-metrics.js';
import type { OutcomeRecorder } from '@modelship/core/outcomes';
import type { OutcomeStore } from '@modelship/core';
import type { RouterRollout } from './rollout-source.js';
import type { ServableModel } from './servable-model.js';
import type { ServedModelInfo } from './observers.js';
import type { ModelArtifact } from '@modelship/core';
import { createTrafficSplitter, type TrafficSplitter } from './traffic-splitter.js';

/** The variant names a rollout defines. */
export const PRODUCTION = 'production';
/** The variant names a rollout defines. */
export const CANDIDATE = 'candidate';

/** One variant as served: its model plus the metric children and outcome recorder made once. */
export interface ServedVariant {
  /** `'production'` or `'candidate'`. */
  readonly name: string;
  /** The model version. */
  readonly version: number;
  /** The loaded model. */
  readonly model: ServableModel;
  /** True for production. */
  readonly isProduction: boolean;
  /** Cached metric children, when metrics are on. */
  readonly metrics: PrometheusVariantMetrics | undefined;
  /** Cached outcome recorder, when an outcome store is set. */
  readonly outcomes: OutcomeRecorder | undefined;
  /** What observers are told of this variant (made once per snapshot). */
  readonly info: ServedModelInfo;
}

/** The artifact a loaded model carries (core's `Model.artifact`), if any. */
function artifactOf(model: ServableModel | undefined): ModelArtifact | undefined {
  const a = (model as { artifact?: unknown } | undefined)?.artifact;
  return typeof a === 'object' && a !== null ? (a as ModelArtifact) : undefined;
}

/**
 * What a request runs against: an immutable rollout, its splitter and its loaded models. The
 * router replaces its snapshot atomically (one reference write); a request reads the reference
 * once and uses that snapshot to its end.
 */
export interface Snapshot {
  /** The rollout in force. */
  readonly rollout: RouterRollout;
  /** The splitter of the rollout (candidate first, so `bucket < weight × 10000` ⇒ candidate). */
  readonly splitter: TrafficSplitter;
  /** Served variants, aligned with `splitter.names`. */
  readonly served: readonly ServedVariant[];
  /** The production variant. */
  readonly production: ServedVariant;
  /** The variant mirrored in shadow mode. */
  readonly shadow: ServedVariant | undefined;
}

/** Builds the snapshot of a rollout from loaded models (by version). */
export function buildSnapshot(
  model: string,
  rollout: RouterRollout,
  models: ReadonlyMap<number, ServableModel>,
  metrics: PrometheusMetrics | undefined,
  outcomes: OutcomeStore | undefined,
  random: () => number,
): Snapshot {
  const make = (name: string, version: number): ServedVariant => ({
    name,
    version,
    model: models.get(version)!,
    isProduction: name === PRODUCTION,
    metrics: metrics?.variant(name, version),
    outcomes: outcomes?.recorder({ model, variant: name, modelVersion: version }),
    info: Object.freeze({ model, variant: name, version, artifact: artifactOf(models.get(version)) }),
  });
  const production = make(PRODUCTION, rollout.production);
  const candidate = rollout.candidate === undefined ? undefined : make(CANDIDATE, rollout.candidate);
  const shadowMode = rollout.mode === 'shadow';
  const wc = candidate && !shadowMode ? (rollout.weights.candidate ?? 0) : 0;
  const wp = candidate ? (shadowMode ? 1 : rollout.weights.production) : 1;
  const splitter = createTrafficSplitter({
    variants: candidate
      ? [
          { name: CANDIDATE, weight: wc },
          { name: PRODUCTION, weight: wp },
        ]
      : [{ name: PRODUCTION, weight: 1 }],
    salt: rollout.salt,
    random,
    ...(shadowMode && candidate ? { shadow: [CANDIDATE] } : {}),
  });
  return {
    rollout,
    splitter,
    served: candidate ? [candidate, production] : [production],
    production,
    shadow: shadowMode ? candidate : undefined,
  };
}
