/** Drift of a batch of rows against a reference profile (the non-streaming API). */
import { z } from 'zod';
import { createAccumulator } from './accumulators.js';
import { DriftError } from './errors.js';
import type { FeatureSnapshot } from './feature-tests.js';
import { evaluationOptionsSchema } from './options.js';
import { column, parseProfile, type ReferenceProfile, type TableInput } from './profile.js';
import { buildReport, type DriftReport, type EvaluationOptions } from './report.js';

/** Options of {@link detectDrift}. */
export interface DetectDriftOptions extends EvaluationOptions {
  /** The model's predictions on the rows, compared with the profile's prediction distribution. */
  predictions?: ArrayLike<unknown>;
  /** The report's time (default: now). */
  now?: Date;
}

function rowCount(input: TableInput): number {
  if (Array.isArray(input)) return input.length;
  let n = 0;
  for (const c of Object.values(input as Record<string, ArrayLike<unknown>>)) n = Math.max(n, c?.length ?? 0);
  return n;
}

/**
 * Compares rows (or columns) with a reference profile and returns a {@link DriftReport}.
 * Throws DriftError on invalid options, profile or input.
 * @example
 * const report = detectDrift(profile, liveRows, { correction: 'benjamini-hochberg' });
 * if (report.summary.verdict === 'drift') retrain();
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
  if (input === null || typeof input !== 'object') {
    throw new DriftError('INVALID_INPUT', 'detectDrift: input must be an array of rows or an object of columns', {
      operation: 'detectDrift',
    });
  }
  const n = rowCount(input);
  const snaps = new Map<string, FeatureSnapshot>();
  const storage = { mode: 'ring' as const, capacity: Math.max(n, 1), random: Math.random };
  for (const [name, fp] of Object.entries(prof.features)) {
    const acc = createAccumulator(fp, storage);
    const col = column(input, name);
    for (let i = 0; i < n; i++) acc.add(col?.[i]);
    snaps.set(name, acc.snapshot());
  }
  const known = new Set(Object.keys(prof.features));
  const ignored = new Set<string>();
  if (Array.isArray(input)) {
    for (const row of input as Record<string, unknown>[]) {
      if (row && typeof row === 'object') for (const k of Object.keys(row)) if (!known.has(k)) ignored.add(k);
      if (ignored.size >= 100) break;
    }
  } else for (const k of Object.keys(input)) if (!known.has(k)) ignored.add(k);
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
    ignoredFeatures: [...ignored],
  });
}
