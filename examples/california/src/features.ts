/**
 * The California feature view of the example: scikit-learn's eight features (with the usual
 * per-household ratios) plus bedrooms per room and the one-hot ocean proximity.
 */
import type { FeaturePipelineSpec } from '@modelship/core';
import { californiaFeatureSpec } from '@modelship/datasets';

/** The columns a prediction request carries (the raw census block-group fields). */
export const REQUEST_FIELDS = [
  'longitude',
  'latitude',
  'housing_median_age',
  'total_rooms',
  'total_bedrooms',
  'population',
  'households',
  'median_income',
  'ocean_proximity',
] as const;

/**
 * `californiaFeatureSpec()` (MedInc, HouseAge, AveRooms, AveBedrms, Population, AveOccup,
 * Latitude, Longitude) plus `BedrmsPerRoom = total_bedrooms / total_rooms` (missing → training
 * median) and `ocean_proximity` one-hot (reference level `<1H OCEAN`).
 */
export function californiaExampleSpec(): FeaturePipelineSpec {
  const base = californiaFeatureSpec();
  return {
    ...base,
    derive: [
      ...(base.derive ?? []),
      { name: 'BedrmsPerRoom', op: 'ratio', numerator: 'total_bedrooms', denominator: 'total_rooms' },
    ],
    features: [
      ...base.features,
      { type: 'numeric', column: 'BedrmsPerRoom', impute: { strategy: 'median' } },
      { type: 'onehot', column: 'ocean_proximity', dropLevel: '<1H OCEAN' },
    ],
  };
}
