import { describe, expect, it } from 'vitest';
import { defineSchema } from '../src/data/schema.js';
import { Table } from '../src/data/table.js';
import { createFeaturePipeline, FeaturePipeline } from '../src/features/pipeline.js';
import type { FeaturePipelineSpec } from '../src/features/spec.js';
import { expectInvalid } from '../../../test-support/expect-error.js';

const standardized: FeaturePipelineSpec = { features: [{ type: 'numeric', column: 'a', standardize: true }] };

describe('FeaturePipeline.fit on bad training data', () => {
  it('names a value that is not a Table instead of crashing', () => {
    expectInvalid(
      () => createFeaturePipeline(standardized).fit(null as unknown as Table),
      /FeaturePipeline.fit: table: expected a Table, got null/,
    );
  });

  it('refuses an empty training table instead of fitting NaN statistics', () => {
    const empty = Table.fromRows([], defineSchema({ columns: { a: { type: 'numeric' } } }));
    expectInvalid(() => createFeaturePipeline(standardized).fit(empty), /the training table has no rows/);
  });

  it('standardizes values whose sum overflows, and the fitted state round-trips', () => {
    const p = createFeaturePipeline(standardized).fit(Table.fromRows([{ a: 1.7e308 }, { a: 1.5e308 }]));
    const state = p.toJSON();
    const step = state.steps[0] as { mean: number; scale: number };
    expect(step.mean).toBeCloseTo(1.6e308, -300);
    expect(step.scale).toBeCloseTo(0.1e308, -300);
    const restored = FeaturePipeline.fromJSON(state);
    expect(restored.transformRow({ a: 1.7e308 })[0]).toBeCloseTo(1, 10);
    expect(restored.transformRow({ a: 1.7e308 })).toEqual(p.transformRow({ a: 1.7e308 }));
  });

  it('refuses most_frequent imputation of a categorical column with no training value', () => {
    const schema = defineSchema({ columns: { c: { type: 'categorical', required: false }, x: { type: 'numeric' } } });
    const table = Table.fromRows(
      [
        { c: null, x: 1 },
        { c: null, x: 2 },
      ],
      schema,
    );
    const spec: FeaturePipelineSpec = {
      features: [{ type: 'onehot', column: 'c', impute: { strategy: 'most_frequent' } }],
    };
    expectInvalid(
      () => createFeaturePipeline(spec).fit(table),
      /every training value of 'c' is missing, so 'most_frequent' imputation has nothing to learn from/,
    );
  });

  it('refuses a class target with no training value instead of fitting zero classes', () => {
    const schema = defineSchema({ columns: { y: { type: 'categorical', required: false }, x: { type: 'numeric' } } });
    const table = Table.fromRows(
      [
        { y: null, x: 1 },
        { y: null, x: 2 },
      ],
      schema,
    );
    const spec: FeaturePipelineSpec = {
      features: [{ type: 'numeric', column: 'x' }],
      target: { column: 'y', kind: 'class' },
    };
    expectInvalid(() => createFeaturePipeline(spec).fit(table), /every training value of the target 'y' is missing/);
  });

  it('transform names a value that is not a Table', () => {
    const p = createFeaturePipeline(standardized).fit(Table.fromRows([{ a: 1 }, { a: 2 }]));
    expectInvalid(
      () => p.transform(undefined as unknown as Table),
      /FeaturePipeline.transform: table: expected a Table, got undefined/,
    );
  });
});
