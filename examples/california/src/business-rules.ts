/**
 * The business rule of the served California model: predictions are clamped to the range the
 * data can support (the target is censored at 500,001 USD; below 15,000 USD nothing was sold).
 */
import { loadModel, type ModelArtifact } from '@modelship/core';
import type { ModelLoader, ServableModel } from '@modelship/router';

/** The range of an answer, in hundreds of thousands of USD. */
export const PRICE_RANGE = { min: 0.15, max: 5.0 } as const;

/** What the served model answers. */
export interface HousePrice {
  /** The estimate in hundreds of thousands of USD, clamped to {@link PRICE_RANGE}. */
  value: number;
  /** The model's raw estimate before the clamp. */
  raw: number;
  /** Whether the clamp changed the estimate. */
  clamped: boolean;
}

/** Clamps an estimate to {@link PRICE_RANGE}. */
export function clampPrice(raw: number): HousePrice {
  const value = Math.min(PRICE_RANGE.max, Math.max(PRICE_RANGE.min, raw));
  return { value, raw, clamped: value !== raw };
}

/**
 * A router model loader: core's `loadModel` (sha256 checked, input validated against the
 * artifact's schema with the data schema's ranges, so a missing field, a negative income or
 * `total_rooms: -5` is a ValidationError naming the field) followed by {@link clampPrice}. The
 * servable keeps the artifact, so router observers (the drift sink) see its reference profile.
 */
export const clampedModelLoader: ModelLoader = (bytes, info) => {
  const model = loadModel(bytes, info.sha256 !== undefined ? { expectedSha256: info.sha256 } : {});
  const servable: ServableModel & { readonly artifact: ModelArtifact } = {
    artifact: model.artifact,
    predict: (input: unknown) => clampPrice(model.predict(input as Record<string, unknown>).value as number),
  };
  return servable;
};
