import {
  childLogger,
  SafeEmitter,
  TrainingError,
  ValidationError,
  isModelshipError,
  type Logger,
} from '@modelship/core';
import { fingerprint } from '../data/fingerprint.js';
import type { Table } from '@modelship/core';
import { createFeaturePipeline, type FeaturePipeline } from '@modelship/core';
import type { FeaturePipelineSpec, TargetSpec } from '@modelship/core';
import { createArtifact, type ModelArtifact } from '@modelship/core';
import type { Learner, LearnerTask } from '@modelship/core';
import { createLearner } from '@modelship/core/learners';
import { registerMljsLearners } from '../learners/mljs.js';
import { metricDirection } from '@modelship/core';
import type { MetricDirection } from '@modelship/core/policy';
import type { Serial } from '@modelship/core';
import { predictTest, scorePredictions, selectBest, type TestPredictions } from './scoring.js';
import { concatFolds, evaluationSplits, makeFold, withFixedClasses } from './folds.js';
import { deriveInputSchema } from './input-schema.js';
import { parseTrainerOptions, type TrainerOptions } from './options.js';
import { preflight } from './preflight.js';

/** The evaluation of one variant. */
export interface VariantResult {
  /** The variant name. */
  readonly name: string;
  /** The learner kind. */
  readonly learner: string;
  /** The learner's hyperparameters as used (defaults filled in). */
  readonly params: { readonly [key: string]: Serial };
  /** Test metrics (holdout) or out-of-fold metrics (k-fold). */
  readonly metrics: { readonly [name: string]: number };
  /** Mean wall time of one fit, in seconds. */
  readonly fitSeconds: number;
}

/** What {@link Trainer.fit} returns. */
export interface TrainResult {
  /** Every variant's result, in declaration order. */
  readonly variants: readonly VariantResult[];
  /** The name of the best variant by the `selectBy` metric. */
  readonly best: string;
  /** The metric and direction the best variant was chosen by. */
  readonly selectedBy: {
    /** The metric name. */
    readonly metric: string;
    /** `'maximize'` or `'minimize'`. */
    readonly direction: MetricDirection;
  };
  /** The best variant packaged as a model artifact (encode it with `encodeArtifact`). */
  readonly artifact: ModelArtifact;
}

/** Events of a {@link Trainer} (eventemitter3). */
export interface TrainerEvents {
  /** A variant's evaluation started. */
  variantStarted: (e: { name: string; index: number; total: number }) => void;
  /** A variant was evaluated. */
  variantFinished: (e: VariantResult & { index: number; total: number }) => void;
  /** Overall progress in [0, 1]. */
  progress: (e: { fraction: number; variant: string; message?: string }) => void;
}

/**
 * Trains named hyperparameter variants on a table, evaluates them (holdout or k-fold), picks the
 * best by a metric and packages it as a model artifact. Seeded: the same options and table give
 * the same metrics and the same artifact (but for `createdAt`).
 */
export class Trainer extends SafeEmitter<TrainerEvents> {
  /** The validated options. */
  readonly options: TrainerOptions;
  readonly #spec: FeaturePipelineSpec;
  readonly #log: Logger;

  /** Use {@link createTrainer}. */
  constructor(options: TrainerOptions) {
    registerMljsLearners();
    const parsed = parseTrainerOptions(options);
    const log = childLogger(parsed.logger, { component: 'trainer' });
    super(log);
    this.options = parsed;
    const o = this.options;
    this.#log = log;
    const target: TargetSpec | undefined =
      typeof o.target === 'string'
        ? o.task === 'classification'
          ? { column: o.target, kind: 'class' }
          : { column: o.target, kind: 'numeric' }
        : (o.target ?? o.features.target);
    if (target === undefined) {
      throw new ValidationError(
        'INVALID_OPTIONS',
        'createTrainer: target: name the target column (or give features.target)',
        {
          operation: 'createTrainer',
          details: { field: 'target' },
        },
      );
    }
    if ((o.task === 'regression') !== (target.kind === 'numeric')) {
      throw new ValidationError(
        'INVALID_OPTIONS',
        `createTrainer: target: a ${target.kind} target does not fit task '${o.task}'`,
        {
          operation: 'createTrainer',
          details: { field: 'target' },
        },
      );
    }
    this.#spec = { ...o.features, target };
    createFeaturePipeline(this.#spec); // validates the spec now (INVALID_OPTIONS naming the field)
    for (const [name, v] of Object.entries(o.variants)) {
      try {
        createLearner(v.learner, v.params ?? {}, o.task);
      } catch (err) {
        if (isModelshipError(err)) {
          err.message = `createTrainer: variants.${name}: ${err.message}`;
          if (err.details) err.details.field = `variants.${name}`;
        }
        throw err;
      }
    }
  }

  #selectMetric(): { metric: string; direction: MetricDirection } {
    const s = this.options.selectBy ?? (this.options.task === 'regression' ? 'r2' : 'accuracy');
    if (typeof s === 'string') return { metric: s, direction: metricDirection(s) };
    return { metric: s.metric, direction: s.direction ?? metricDirection(s.metric) };
  }

  /**
   * Evaluates every variant on `table`, selects the best and packages it. Bad data gives
   * DataError / ValidationError naming the column (missing column, text in a numeric column,
   * NaN without imputation, an empty table); a learner failure gives TrainingError naming the variant.
   */
  async fit(table: Table): Promise<TrainResult> {
    const o = this.options;
    const seed = o.seed ?? 42;
    const task: LearnerTask = o.task;
    const probe = createFeaturePipeline(this.#spec);
    preflight(table, this.#spec, probe.inputColumns);
    const spec = withFixedClasses(this.#spec, table);
    const splits = evaluationSplits(this.options, this.#spec, table, seed);
    const folds = splits.map((s) => makeFold(spec, table, s.train, s.test));
    const numClasses = task === 'classification' ? (folds[0]!.pipeline.targetClasses?.length ?? 0) : 0;
    const entries = Object.entries(o.variants);
    const total = entries.length;
    const results: VariantResult[] = [];
    const kept: Learner[] = [];
    for (let vi = 0; vi < total; vi++) {
      const [name, v] = entries[vi]!;
      this.emitSafely('variantStarted', { name, index: vi, total });
      this.#log.info({ variant: name, learner: v.learner }, 'variant started');
      const oof: TestPredictions[] = [];
      let fitSeconds = 0;
      let learner!: Learner;
      for (let fi = 0; fi < folds.length; fi++) {
        const f = folds[fi]!;
        learner = createLearner(v.learner, v.params ?? {}, task);
        const t0 = process.hrtime.bigint();
        try {
          await learner.fit(f.xTrain, f.yTrain, {
            seed,
            ...(numClasses ? { numClasses } : {}),
            onProgress: (fraction, message) =>
              this.emitSafely('progress', {
                fraction: (vi + (fi + Math.min(1, Math.max(0, fraction))) / folds.length) / total,
                variant: name,
                ...(message ? { message } : {}),
              }),
          });
        } catch (err) {
          throw new TrainingError(
            'FAILED',
            `variant '${name}' (${v.learner}) failed to fit: ${(err as Error).message}`,
            {
              operation: 'Trainer.fit',
              details: { variant: name, learner: v.learner },
              cause: err,
            },
          );
        }
        fitSeconds += Number(process.hrtime.bigint() - t0) / 1e9;
        oof.push(predictTest(learner, f.xTest, task, numClasses));
        this.emitSafely('progress', { fraction: (vi + (fi + 1) / folds.length) / total, variant: name });
      }
      const { yTrue, pred } = concatFolds(folds, oof, numClasses);
      const result: VariantResult = {
        name,
        learner: v.learner,
        params: learner.params(),
        metrics: scorePredictions(task, yTrue, pred, numClasses),
        fitSeconds: fitSeconds / folds.length,
      };
      results.push(result);
      kept.push(learner);
      this.#log.info({ variant: name, metrics: result.metrics, fitSeconds: result.fitSeconds }, 'variant finished');
      this.emitSafely('variantFinished', { ...result, index: vi, total });
    }
    const selectedBy = this.#selectMetric();
    const bestIndex = selectBest(results, selectedBy);
    const best = results[bestIndex]!;
    const [, bestSpec] = entries[bestIndex]!;
    const refit = folds.length > 1 || (o.refit ?? false);
    let pipeline: FeaturePipeline;
    let learner: Learner;
    let fitTable: Table;
    if (refit) {
      fitTable = table;
      pipeline = createFeaturePipeline(spec).fit(table);
      learner = createLearner(bestSpec.learner, bestSpec.params ?? {}, task);
      await learner.fit(pipeline.transform(table), pipeline.transformTarget(table), {
        seed,
        ...(numClasses ? { numClasses } : {}),
      });
    } else {
      fitTable = table.select(splits[0]!.train);
      pipeline = folds[0]!.pipeline;
      learner = kept[bestIndex]!;
    }
    const { schema, categories } = deriveInputSchema(table, spec, pipeline.inputColumns, o.schema);
    const ev = o.evaluation ?? { kind: 'holdout' as const };
    const classes = pipeline.targetClasses;
    const artifact = createArtifact({
      task,
      schema,
      categories,
      target: {
        name: this.#spec.target!.column,
        kind: task === 'classification' ? 'categorical' : 'numeric',
        ...(classes ? { classes: [...classes] } : {}),
      },
      pipeline: pipeline.toJSON() as unknown as Serial,
      learner: learner.toState(),
      metrics: best.metrics,
      params: {
        variant: best.name,
        learner: best.learner,
        learnerParams: best.params,
        seed,
        refit,
        selectBy: selectedBy.metric,
      },
      fingerprint: fingerprint(fitTable),
      dataset: {
        ...(o.datasetName ? { name: o.datasetName } : {}),
        rows: fitTable.numRows,
        evaluation:
          ev.kind === 'kfold'
            ? { kind: 'kfold', k: folds.length, rows: table.numRows }
            : {
                kind: 'holdout',
                trainRows: splits[0]!.train.length,
                testRows: splits[0]!.test.length,
                explicitSplit: ev.split !== undefined,
              },
      },
      createdAt: (o.now ?? (() => new Date()))(),
      tags: { ...(o.tags ?? {}) },
    });
    return { variants: results, best: best.name, selectedBy, artifact };
  }
}

/**
 * Creates a {@link Trainer}; options are validated now (ValidationError `INVALID_OPTIONS` naming
 * the field; an unknown learner kind gives TrainingError `UNKNOWN_LEARNER`).
 *
 * @example
 * ```ts
 * const trainer = createTrainer({
 *   task: 'classification',
 *   target: 'species',
 *   features: irisFeatureSpec(),
 *   variants: {
 *     deep_forest: { learner: 'forest-mljs', params: { nEstimators: 50 } },
 *     shallow_wide: { learner: 'forest-mljs', params: { nEstimators: 100, maxDepth: 3 } },
 *     conservative: { learner: 'logistic', params: { C: 0.1 } },
 *   },
 *   evaluation: { kind: 'holdout', testFraction: 0.2 },
 *   selectBy: 'macroF1',
 *   seed: 7,
 * });
 * trainer.on('variantFinished', (v) => console.log(v.name, v.metrics));
 * const { best, artifact } = await trainer.fit(loadIris());
 * ```
 */
export function createTrainer(options: TrainerOptions): Trainer {
  return new Trainer(options);
}
