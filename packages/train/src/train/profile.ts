/**
 * The drift reference profile the trainer attaches to an artifact: the input columns of the rows
 * the packaged model was fitted on, and the model's predictions on those rows.
 */
import { ValidationError, type Serial, type Table } from '@modelship/core';
import { buildProfile, profileToJSON, type FeatureType } from '@modelship/drift';
import type { TrainerProfileOptions } from './options.js';

/** The profile option resolved: `undefined` when profiling is off. */
export function profileSettings(
  option: boolean | TrainerProfileOptions | undefined,
): TrainerProfileOptions | undefined {
  if (option === false) return undefined;
  return option === true || option === undefined ? {} : option;
}

/** Throws ValidationError `INVALID_OPTIONS` naming `profile.columns` when a profiled column is not an input column. */
export function checkProfileColumns(settings: TrainerProfileOptions, inputColumns: readonly string[]): void {
  const inputs = new Set(inputColumns);
  for (const c of settings.columns ?? []) {
    if (!inputs.has(c)) {
      throw new ValidationError(
        'INVALID_OPTIONS',
        `createTrainer: profile.columns: '${c}' is not an input column of the pipeline (${[...inputs].join(', ')})`,
        { operation: 'Trainer.fit', details: { field: 'profile.columns' } },
      );
    }
  }
}

/**
 * The reference profile of `rows` (the packaged model's training rows) as artifact data.
 * `predictions` holds one prediction per row: numbers for regression, class indices into
 * `classes` for classification (profiled as the labels the served model returns).
 */
export function trainingProfile(
  rows: Table,
  inputColumns: readonly string[],
  settings: TrainerProfileOptions,
  predictions: Float64Array,
  classes: readonly string[] | undefined,
): Serial {
  const features: Record<string, FeatureType> = {};
  for (const c of settings.columns ?? inputColumns)
    features[c] = rows.column(c).kind === 'categorical' ? 'categorical' : 'numeric';
  const values: ArrayLike<unknown> = classes ? Array.from(predictions, (k) => classes[k] ?? null) : predictions;
  const profile = buildProfile(rows, {
    features,
    ...(settings.bins !== undefined ? { bins: settings.bins } : {}),
    ...(settings.sampleSize !== undefined ? { sampleSize: settings.sampleSize } : {}),
    predictions: { type: classes ? 'categorical' : 'numeric', values },
  });
  return profileToJSON(profile);
}
