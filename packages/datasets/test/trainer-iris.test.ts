import { describe, expect, it } from 'vitest';
import { isModelshipError } from '@modelship/core';
import { encodeArtifact } from '@modelship/core';
import { Table } from '@modelship/core';
import { parseCsv } from '@modelship/train';
import { irisFeatureSpec, loadIris } from '@modelship/datasets';
import { createTrainer } from '@modelship/train';
import { registerLearner } from '@modelship/core/learners';
import { LinearLearner } from '@modelship/core/learners';
import type { TrainerOptions } from '@modelship/train';

const iris = loadIris();
const fixedNow = () => new Date('2026-11-23T12:00:00Z');

const irisOptions = (overrides: Partial<TrainerOptions> = {}): TrainerOptions => ({
  task: 'classification',
  features: irisFeatureSpec(),
  variants: {
    deep_forest: { learner: 'forest-mljs', params: { nEstimators: 20 } },
    shallow_wide: { learner: 'forest-mljs', params: { nEstimators: 30, maxDepth: 2 } },
    conservative: { learner: 'logistic', params: { C: 0.05 } },
  },
  evaluation: { kind: 'holdout', testFraction: 0.2 },
  selectBy: 'macroF1',
  seed: 7,
  now: fixedNow,
  datasetName: 'iris',
  ...overrides,
});

function expectError(fn: () => unknown, name: string, code: string, message: RegExp): Promise<void> | void {
  const check = (err: unknown) => {
    expect(
      isModelshipError(err, name, code),
      `${(err as Error)?.name} ${(err as { code?: string })?.code}: ${(err as Error)?.message}`,
    ).toBe(true);
    expect((err as Error).message).toMatch(message);
  };
  try {
    const r = fn();
    if (r instanceof Promise) return r.then(() => expect.unreachable('expected a rejection'), check);
  } catch (err) {
    check(err);
    return;
  }
  expect.unreachable('expected an error');
}

describe('Trainer on Iris', () => {
  it('evaluates named variants, picks the best by the chosen metric and packages it', async () => {
    const events: string[] = [];
    const fractions: number[] = [];
    const trainer = createTrainer(irisOptions());
    trainer.on('variantStarted', (e) => events.push(`start:${e.name}`));
    trainer.on('variantFinished', (e) => events.push(`done:${e.name}`));
    trainer.on('progress', (e) => fractions.push(e.fraction));
    const result = await trainer.fit(iris);
    expect(result.variants.map((v) => v.name)).toEqual(['deep_forest', 'shallow_wide', 'conservative']);
    expect(events).toEqual([
      'start:deep_forest',
      'done:deep_forest',
      'start:shallow_wide',
      'done:shallow_wide',
      'start:conservative',
      'done:conservative',
    ]);
    expect(fractions.at(-1)).toBe(1);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]!).toBeGreaterThanOrEqual(fractions[i - 1]!);
    for (const v of result.variants) {
      expect(v.metrics.accuracy).toBeGreaterThan(0.8);
      expect(v.metrics).toHaveProperty('macroF1');
      expect(v.metrics).toHaveProperty('weightedF1');
      expect(v.metrics).toHaveProperty('logLoss');
      expect(v.fitSeconds).toBeGreaterThan(0);
    }
    const bestF1 = Math.max(...result.variants.map((v) => v.metrics.macroF1!));
    expect(result.variants.find((v) => v.name === result.best)!.metrics.macroF1).toBe(bestF1);
    expect(result.selectedBy).toEqual({ metric: 'macroF1', direction: 'maximize' });
    const a = result.artifact;
    expect(a.task).toBe('classification');
    expect(a.target).toEqual({ name: 'species', kind: 'categorical', classes: ['setosa', 'versicolor', 'virginica'] });
    expect(Object.keys(a.schema.columns)).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    expect(a.params.variant).toBe(result.best);
    expect(a.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(a.dataset).toMatchObject({
      name: 'iris',
      rows: 120,
      evaluation: { kind: 'holdout', trainRows: 120, testRows: 30 },
    });
    expect(a.createdAt).toBe('2026-11-23T12:00:00.000Z');
  });

  it('is reproducible: the same seed gives the same metrics and the same artifact bytes', async () => {
    const r1 = await createTrainer(irisOptions()).fit(iris);
    const r2 = await createTrainer(irisOptions()).fit(iris);
    expect(r2.variants).toEqual(
      r1.variants.map((v) => ({ ...v, fitSeconds: r2.variants.find((w) => w.name === v.name)!.fitSeconds })),
    );
    expect(Buffer.from(encodeArtifact(r2.artifact)).equals(Buffer.from(encodeArtifact(r1.artifact)))).toBe(true);
  });

  it('k-fold evaluates on out-of-fold predictions and refits the best on every row', async () => {
    const r = await createTrainer(
      irisOptions({ evaluation: { kind: 'kfold', k: 3 }, variants: { conservative: { learner: 'logistic' } } }),
    ).fit(iris);
    expect(r.variants[0]!.metrics.accuracy).toBeGreaterThan(0.9);
    expect(r.artifact.dataset).toMatchObject({ rows: 150, evaluation: { kind: 'kfold', k: 3 } });
    expect(r.artifact.params.refit).toBe(true);
  });

  it('takes the target by column name, fixes one class list for every fold, and can minimise a metric', async () => {
    const { target: _t, ...features } = irisFeatureSpec();
    const r = await createTrainer({
      task: 'classification',
      target: 'species',
      features,
      variants: {
        weak: { learner: 'logistic', params: { C: 0.001 } },
        strong: { learner: 'logistic', params: { C: 10 } },
      },
      evaluation: { kind: 'kfold', k: 5 },
      selectBy: 'logLoss',
    }).fit(iris);
    expect(r.selectedBy).toEqual({ metric: 'logLoss', direction: 'minimize' });
    expect(r.best).toBe('strong');
    expect(r.artifact.target.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(r.variants.find((v) => v.name === 'strong')!.metrics.accuracy).toBeGreaterThan(0.93);
  });

  it('refits the best variant on every row when asked, and logs to an injected logger', async () => {
    const logged: string[] = [];
    const logger = {
      info: (_o: object, msg?: string) => logged.push(msg ?? ''),
      warn: (_o: object, msg?: string) => logged.push(`warn ${msg}`),
      debug: () => {},
      error: (_o: object, msg?: string) => logged.push(`error ${msg}`),
    };
    const r = await createTrainer(
      irisOptions({ refit: true, logger, variants: { conservative: { learner: 'logistic' } } }),
    ).fit(iris);
    expect(r.artifact.dataset.rows).toBe(150);
    expect(r.artifact.params.refit).toBe(true);
    expect(logged).toEqual(['variant started', 'variant finished']);
  });

  it('a throwing listener does not break training', async () => {
    const trainer = createTrainer(irisOptions({ variants: { conservative: { learner: 'logistic' } } }));
    trainer.on('variantFinished', () => {
      throw new Error('listener bug');
    });
    await expect(trainer.fit(iris)).resolves.toHaveProperty('best', 'conservative');
  });
});

describe('Trainer options are validated when the trainer is built', () => {
  it('names the bad field', () => {
    expectError(
      () => createTrainer(irisOptions({ evaluation: { kind: 'holdout', testFraction: 1.5 } })),
      'ValidationError',
      'INVALID_OPTIONS',
      /evaluation\.testFraction/,
    );
    expectError(() => createTrainer(irisOptions({ variants: {} })), 'ValidationError', 'INVALID_OPTIONS', /variants/);
    expectError(
      () => createTrainer({ ...irisOptions(), task: 'clustering' as never }),
      'ValidationError',
      'INVALID_OPTIONS',
      /task/,
    );
    expectError(
      () => createTrainer(irisOptions({ variants: { x: { learner: 'logistic', params: { C: -1 } } } })),
      'ValidationError',
      'INVALID_OPTIONS',
      /variants\.x: .*C/s,
    );
    expectError(
      () => createTrainer(irisOptions({ task: 'regression' })),
      'ValidationError',
      'INVALID_OPTIONS',
      /target: a class target does not fit task 'regression'/,
    );
  });
  it('names the known learner kinds for an unknown one', () => {
    expectError(
      () => createTrainer(irisOptions({ variants: { x: { learner: 'xgboost' } } })),
      'TrainingError',
      'UNKNOWN_LEARNER',
      /variants\.x: unknown learner kind 'xgboost'; known kinds: .*logistic/,
    );
  });
  it('names a split index that is not a row of the table', async () => {
    const split = { train: Int32Array.of(0, 1, 2), test: Int32Array.of(3, 400) };
    await expectError(
      () => createTrainer(irisOptions({ evaluation: { kind: 'holdout', split } })).fit(iris),
      'ValidationError',
      'INVALID_OPTIONS',
      /evaluation\.split\.test\[1\] = 400 is not a row of the table \(0…149\)/,
    );
  });

  it('names a selectBy metric that is not computed', async () => {
    await expectError(
      () => createTrainer(irisOptions({ selectBy: 'r2', variants: { c: { learner: 'logistic' } } })).fit(iris),
      'ValidationError',
      'INVALID_OPTIONS',
      /selectBy: metric 'r2' is not computed; available: accuracy/,
    );
  });
});

describe('Trainer rejects bad training data with an error naming the problem', () => {
  const rows = iris.toRows();
  const regression = (extra: Partial<TrainerOptions> = {}): TrainerOptions => ({
    task: 'regression',
    target: 'petal_width',
    features: {
      features: [
        { type: 'numeric', column: 'sepal_length' },
        { type: 'numeric', column: 'petal_length' },
      ],
    },
    variants: { ols: { learner: 'linear' } },
    ...extra,
  });

  it('a missing column', async () => {
    const t = Table.fromRows(rows.map(({ petal_length: _p, ...r }) => r));
    await expectError(
      () => createTrainer(regression()).fit(t),
      'DataError',
      'MISSING_COLUMN',
      /lacks column 'petal_length'; it has: 'sepal_length'/,
    );
  });

  it('a non-numeric value in a numeric column', async () => {
    const t = Table.fromRows(rows.map((r, i) => (i === 41 ? { ...r, petal_length: 'four' } : r)));
    await expectError(
      () => createTrainer(regression()).fit(t),
      'DataError',
      'BAD_VALUE',
      /column 'petal_length' must be numeric but holds text, e\.g\. 'four' at row 42/,
    );
  });

  it('NaN in a numeric column without imputation (and imputation fixes it)', async () => {
    const t = Table.fromRows(rows.map((r, i) => (i === 9 ? { ...r, sepal_length: Number.NaN } : r)));
    await expectError(
      () => createTrainer(regression()).fit(t),
      'DataError',
      'BAD_VALUE',
      /column 'sepal_length' has a missing value \(NaN\) at row 10; add impute/,
    );
    const imputed = regression({
      features: {
        features: [
          { type: 'numeric', column: 'sepal_length', impute: { strategy: 'median' } },
          { type: 'numeric', column: 'petal_length' },
        ],
      },
    });
    const r = await createTrainer(imputed).fit(t);
    expect(r.variants[0]!.metrics.r2).toBeGreaterThan(0.8);
    expect(r.artifact.schema.columns.sepal_length).toEqual({ type: 'numeric', required: false });
  });

  it('NaN in the target', async () => {
    const t = Table.fromRows(rows.map((r, i) => (i === 3 ? { ...r, petal_width: null } : r)));
    await expectError(
      () => createTrainer(regression()).fit(t),
      'DataError',
      'BAD_VALUE',
      /column 'petal_width' has a missing value \(NaN\) at row 4/,
    );
  });

  it('an empty file (a header and no rows)', async () => {
    // the CSV reader refuses it outright, naming the header it found…
    expectError(
      () => parseCsv('sepal_length,petal_length,petal_width\n'),
      'DataError',
      'EMPTY',
      /header .* but no data rows/,
    );
    expectError(() => parseCsv(''), 'DataError', 'EMPTY', /./);
    // …and a table with no rows built another way is refused by the trainer
    await expectError(
      () => createTrainer(regression()).fit(Table.fromRows([])),
      'DataError',
      'EMPTY',
      /the training table has no rows/,
    );
  });

  it('a learner that fails names the variant', async () => {
    registerLearner({
      kind: 'test-broken',
      tasks: ['regression'],
      create: () =>
        Object.assign(new LinearLearner(), {
          fit: () => {
            throw new Error('out of cheese');
          },
        }),
      restore: (st) => LinearLearner.fromState(st),
    });
    await expectError(
      () => createTrainer({ ...regression(), variants: { cheesy: { learner: 'test-broken' } } }).fit(iris),
      'TrainingError',
      'FAILED',
      /variant 'cheesy' \(test-broken\) failed to fit: out of cheese/,
    );
  });

  it('a value that is not a Table', async () => {
    await expectError(
      () => createTrainer(regression()).fit(null as unknown as Table),
      'ValidationError',
      'INVALID_INPUT',
      /Trainer.fit: table: expected a Table \(e\.g\. from readCsv\), got null/,
    );
  });

  it('more folds than rows', async () => {
    const t = Table.fromRows(rows.slice(0, 4));
    await expectError(
      () => createTrainer({ ...regression(), evaluation: { kind: 'kfold', k: 10 } }).fit(t),
      'ValidationError',
      'INVALID_OPTIONS',
      /evaluation\.k: 10 folds need at least 10 rows, the table has 4/,
    );
  });
});
