/** Drift of a batch of rows against a reference profile (the non-streaming API). */
import { z } from 'zod';
import { createAccumulator } from './accumulators.js';
import { DriftError } from './errors.js';
import type { FeatureSnapshot } from './feature-tests.js';
import { evaluationOptionsSchema } from './options.js';
import { parseProfile, readInput, type ReferenceProfile, type TableInput } from './profile.js';
import { buildReport, type DriftReport, type EvaluationOptions } from './report.js';

/** Options of {@link detectDrift}. */
export interface DetectDriftOptions extends EvaluationOptions {
  /** The model's predictions on the rows, compared with the profile's prediction distribution. */
  predictions?: ArrayLike<unknown>;
  /** The report's time (default: now). */
  now?: Date;
}

/**
 * Compares rows, columns or a core `Table` with a reference profile and returns a {@link DriftReport}.
 * Throws DriftError: `INVALID_OPTIONS`, `INVALID_PROFILE`, or `INVALID_INPUT` on input of the wrong
 * type (neither rows, columns nor a Table; a row that is not an object; a column that is not an array).
 * @example
 * ```ts
 * const report = detectDrift(profile, liveTable);
 * // verdict 'drift' = dataset drift (a share of features) or a feature alarm (one feature at high severity).
 * if (report.summary.datasetDrift) retrain();
 * else if (report.summary.featureAlarms.length) investigate(report.summary.featureAlarms);
 * ```
 */
export function detectDrift(
  profile: ReferenceProfile,
  input: TableInput,
  options: DetectDriftOptions = {},
): DriftReport {
  const parsed = evaluationOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new DriftError('INVALID_OPTIONS', `detectDrift: invalid options\n${z.prettifyError(parsed.error)}`, {
      operation: 'detectDrift',
    });
  }
  const prof = parseProfile(profile);
  const reader = readInput(input, 'detectDrift');
  const n = reader.rows;
  const snaps = new Map<string, FeatureSnapshot>();
  const storage = { mode: 'ring' as const, capacity: Math.max(n, 1), random: Math.random };
  for (const [name, fp] of Object.entries(prof.features)) {
    const acc = createAccumulator(fp, storage);
    const col = reader.column(name);
    for (let i = 0; i < n; i++) acc.add(col?.[i]);
    snaps.set(name, acc.snapshot());
  }
  const known = new Set(Object.keys(prof.features));
  const ignored = reader
    .names()
    .filter((k) => !known.has(k))
    .slice(0, 100);
  let prediction: FeatureSnapshot | undefined;
  if (prof.prediction && options.predictions) {
    const acc = createAccumulator(prof.prediction, {
      mode: 'ring',
      capacity: Math.max(options.predictions.length, 1),
      random: Math.random,
    });
    for (let i = 0; i < options.predictions.length; i++) acc.add(options.predictions[i]);
    prediction = acc.snapshot();
  }
  return buildReport(prof, snaps, { kind: 'batch', rows: n, index: 0 }, options, {
    createdAt: (options.now ?? new Date()).toISOString(),
    ...(prediction ? { prediction } : {}),
    ignoredFeatures: ignored,
  });
}
