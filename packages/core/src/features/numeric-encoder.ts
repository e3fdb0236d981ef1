import { ValidationError } from '../errors.js';
import { median } from '../data/median.js';
import { pairwiseSum } from '../data/pairwise-sum.js';
import { rowNumber } from './columns.js';
import type { Encoder, StepState } from './encoder.js';
import { allMissingError, missingError, mostFrequent } from './fit-errors.js';
import type { NumericStepSpec } from './spec.js';

/** Fits a numeric step on training values. */
export function fitNumeric(spec: NumericStepSpec, values: Float64Array): StepState {
  const present: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) {
      if (!spec.impute) missingError(spec.column, `fit: training row ${i + 1}`, 'FeaturePipeline.fit');
    } else present.push(v);
  }
  let impute: number | null = null;
  if (spec.impute) {
    const { strategy, value } = spec.impute;
    if (strategy === 'constant') {
      if (typeof value !== 'number') {
        throw new ValidationError(
          'INVALID_OPTIONS',
          `fit: '${spec.column}': a numeric column needs a numeric constant, got ${JSON.stringify(value)}`,
          {
            operation: 'FeaturePipeline.fit',
            details: { field: spec.column },
          },
        );
      }
      impute = value;
    } else {
      if (present.length === 0) allMissingError(spec.column, strategy);
      impute =
        strategy === 'median'
          ? median(present)
          : strategy === 'mean'
            ? pairwiseSum(present) / present.length
            : mostFrequent(present);
    }
  }
  if (!spec.standardize) return { type: 'numeric', impute, mean: 0, scale: 1 };
  const filled = Float64Array.from(values, (v) => (Number.isNaN(v) ? impute! : v));
  let mean = pairwiseSum(filled) / filled.length;
  let std = Math.sqrt(pairwiseSum(filled.map((v) => (v - mean) ** 2)) / filled.length);
  if (!Number.isFinite(mean) || !Number.isFinite(std)) ({ mean, std } = scaledMoments(filled));
  if (!Number.isFinite(mean) || !Number.isFinite(std)) {
    throw new ValidationError(
      'INVALID_INPUT',
      `fit: '${spec.column}': the training values are too large to standardize (mean ${mean}, std ${std})`,
      {
        operation: 'FeaturePipeline.fit',
        details: { field: spec.column },
      },
    );
  }
  return { type: 'numeric', impute, mean, scale: std > 0 ? std : 1 };
}

/** Mean and population std computed on values divided by their largest magnitude, for values whose plain sums overflow. */
function scaledMoments(values: Float64Array): { mean: number; std: number } {
  let m = 0;
  for (const v of values) m = Math.max(m, Math.abs(v));
  const scaled = values.map((v) => v / m);
  const mean = pairwiseSum(scaled) / scaled.length;
  const std = Math.sqrt(pairwiseSum(scaled.map((v) => (v - mean) ** 2)) / scaled.length);
  return { mean: mean * m, std: std * m };
}

/** The runtime of a fitted numeric step. */
export function numericEncoder(
  spec: NumericStepSpec,
  state: Extract<StepState, { type: 'numeric' }>,
  derivedIndex: number,
): Encoder {
  const { impute, mean, scale } = state;
  const standardize = spec.standardize === true;
  const col = spec.column;
  const apply = (v: number, where: string, op: string): number => {
    if (Number.isNaN(v)) {
      if (impute === null) missingError(col, where, op);
      v = impute;
    }
    return standardize ? (v - mean) / scale : v;
  };
  return {
    width: 1,
    names: [spec.name ?? col],
    state,
    fillTable(view, out, stride, offset) {
      const values = view.numeric(col);
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        out[i * stride + offset] = Number.isNaN(v)
          ? apply(v, `transform: row ${i + 1}`, 'FeaturePipeline.transform')
          : standardize
            ? (v - mean) / scale
            : v;
      }
    },
    fillRow(row, derived, out, offset) {
      // written inline (no helper returning a double) so the hot path allocates no heap numbers
      if (derivedIndex >= 0) out[offset] = derived[derivedIndex]!;
      else {
        const raw = row[col];
        if (typeof raw === 'number' && raw !== Infinity && raw !== -Infinity) out[offset] = raw;
        else out[offset] = rowNumber(row, col);
      }
      if (Number.isNaN(out[offset]!)) {
        if (impute === null) missingError(col, 'transformRow', 'FeaturePipeline.transformRow');
        out[offset] = impute;
      }
      if (standardize) out[offset] = (out[offset]! - mean) / scale;
    },
  };
}
