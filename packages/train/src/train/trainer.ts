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
import type { Matrix, Serial } from '@modelship/core';
import { predictTest, scorePredictions, selectBest, type TestPredictions } from './scoring.js';
import { concatFolds, evaluationSplits, makeFold, withFixedClasses } from './folds.js';
import { deriveInputSchema } from './input-schema.js';
import { checkProfileColumns, profileSettings, trainingProfile } from './profile.js';
import { parseTrainerOptions, type TrainerOptions } from './options.js';
import { preflight } from './preflight.js';
import { smote, type SmoteOptions, type SmoteSummary } from './smote.js';

/** The SMOTE settings of a variant, or undefined when it does not oversample. */
function smoteSettings(v: { smote?: boolean | SmoteOptions | undefined }): SmoteOptions | undefined {
  if (v.smote === undefined || v.smote === false) return undefined;
  return v.smote === true ? {} : v.smote;
}

/** The training rows of one fit, oversampled when the variant asks for SMOTE. */
function fitRows(
  x: Matrix,
  y: Float64Array,
  settings: SmoteOptions | undefined,
  numClasses: number,
  seed: number,
): { x: Matrix; y: Float64Array; summary?: SmoteSummary } {
  if (!settings) return { x, y };
  return smote(x, y, numClasses, settings, seed);
}

/** The evaluation of one variant. */
export interface VariantResult {
  /** The variant name. */
  readonly name: string;
  /** The learner kind. */
  readonly learner: string;
  /** The learner's hyperparameters as used (defaults filled in). */
  readonly params: { readonly [key: string]: Serial };
  /**
   * Test metrics (holdout) or out-of-fold metrics (k-fold), named as core's offline gate
   * (`compareOffline`) and `metricDirection` read them, and stored as such in the artifact's
   * `metrics`. Regression: `r2`, `rmse`, `mae`, `mape`. Classification: `accuracy`, `precision`,
   * `recall`, `f1` (macro averages, the gate's defaults), `macroPrecision`, `macroRecall`,
   * `macroF1`, `weightedPrecision`, `weightedRecall`, `weightedF1`, and with probabilities
   * `logLoss` and `rocAuc`.
   */
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
  /**
   * The best variant packaged as a model artifact (encode it with `encodeArtifact`); the same
   * object `artifactOf(best)` resolves to. Its `metrics` are the variant's {@link VariantResult.metrics}.
   */
  readonly artifact: ModelArtifact;
  /**
   * Any variant packaged as a model artifact, built on first call and kept (so the result holds
   * the table and the evaluated models while it is alive). Packaging is the best's: with holdout
   * and no `refit`, the model evaluated on the test rows (fitted on the training split); with
   * `refit` or k-fold, the variant refitted on every row with the same seed (its metrics stay
   * the holdout or out-of-fold ones). Rejects with ValidationError `INVALID_INPUT` for an
   * unknown name.
   */
  artifactOf(name: string): Promise<ModelArtifact>;
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
 * best by a metric and packages it as a complete model artifact: the input schema (with the data
 * schema's ranges when `schema` is given), the offline metrics under the offline gate's names and
 * the drift reference profile of the training rows and predictions (`profile`, on by default);
 * any other variant is packaged on demand (`TrainResult.artifactOf`). Seeded: the same options and table give
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
    // a target named by its column keeps the feature spec's own target of that column (its
    // divisor, classes or quantiles): `target: 'median_house_value'` beside a spec whose target
    // divides it by 100,000 trains in 100,000 USD, as the spec says
    const target: TargetSpec | undefined =
      typeof o.target === 'string' && o.features.target?.column === o.target
        ? o.features.target
        : typeof o.target === 'string'
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
      if (smoteSettings(v) && o.task !== 'classification') {
        throw new ValidationError(
          'INVALID_OPTIONS',
          `createTrainer: variants.${name}.smote: SMOTE oversamples classes, it is for classification only (task is '${o.task}')`,
          { operation: 'createTrainer', details: { field: `variants.${name}.smote` } },
        );
      }
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
    const keptSmote: (SmoteSummary | undefined)[] = [];
    for (let vi = 0; vi < total; vi++) {
      const [name, v] = entries[vi]!;
      this.emitSafely('variantStarted', { name, index: vi, total });
      this.#log.info({ variant: name, learner: v.learner }, 'variant started');
      const oof: TestPredictions[] = [];
      let fitSeconds = 0;
      let learner!: Learner;
      const smoteOptions = smoteSettings(v);
      let lastSmote: SmoteSummary | undefined;
      for (let fi = 0; fi < folds.length; fi++) {
        const f = folds[fi]!;
        learner = createLearner(v.learner, v.params ?? {}, task);
        // SMOTE on this fit's encoded training rows only; the test rows stay as they are
        const train = fitRows(f.xTrain, f.yTrain, smoteOptions, numClasses, seed);
        lastSmote = train.summary;
        const t0 = process.hrtime.bigint();
        try {
          await learner.fit(train.x, train.y, {
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
      keptSmote.push(lastSmote);
      this.#log.info({ variant: name, metrics: result.metrics, fitSeconds: result.fitSeconds }, 'variant finished');
      this.emitSafely('variantFinished', { ...result, index: vi, total });
    }
    const selectedBy = this.#selectMetric();
    const bestIndex = selectBest(results, selectedBy);
    const refit = folds.length > 1 || (o.refit ?? false);
    const profile = profileSettings(o.profile);
    if (profile) checkProfileColumns(profile, probe.inputColumns);
    const ev = o.evaluation ?? { kind: 'holdout' as const };
    const createdAt = (o.now ?? (() => new Date()))();
    const pack = async (vi: number): Promise<ModelArtifact> => {
      const [, vspec] = entries[vi]!;
      const result = results[vi]!;
      let pipeline: FeaturePipeline;
      let learner: Learner;
      let fitTable: Table;
      let xFit: Matrix;
      let smoteSummary: SmoteSummary | undefined;
      const smoteOptions = smoteSettings(vspec);
      if (refit) {
        fitTable = table;
        pipeline = createFeaturePipeline(spec).fit(table);
        learner = createLearner(vspec.learner, vspec.params ?? {}, task);
        xFit = pipeline.transform(table);
        const train = fitRows(xFit, pipeline.transformTarget(table), smoteOptions, numClasses, seed);
        smoteSummary = train.summary;
        await learner.fit(train.x, train.y, { seed, ...(numClasses ? { numClasses } : {}) });
      } else {
        fitTable = table.select(splits[0]!.train);
        pipeline = folds[0]!.pipeline;
        learner = kept[vi]!;
        xFit = folds[0]!.xTrain;
        smoteSummary = keptSmote[vi];
      }
      const { schema, categories } = deriveInputSchema(table, spec, pipeline.inputColumns, o.schema);
      const classes = pipeline.targetClasses;
      return createArtifact({
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
        metrics: result.metrics,
        params: {
          variant: result.name,
          learner: result.learner,
          learnerParams: result.params,
          seed,
          refit,
          selectBy: selectedBy.metric,
          ...(smoteSummary ? { smote: { ...smoteSummary } as unknown as Serial } : {}),
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
        ...(profile
          ? {
              profile: trainingProfile(
                fitTable,
                pipeline.inputColumns,
                profile,
                learner.predict(xFit),
                task === 'classification' ? classes : undefined,
              ),
            }
          : {}),
        createdAt,
        tags: { ...(o.tags ?? {}) },
      });
    };
    const packed = new Map<string, Promise<ModelArtifact>>();
    const artifactOf = (name: string): Promise<ModelArtifact> => {
      const vi = results.findIndex((r) => r.name === name);
      if (vi < 0) {
        return Promise.reject(
          new ValidationError(
            'INVALID_INPUT',
            `artifactOf: no variant named '${name}'; variants: ${results.map((r) => r.name).join(', ')}`,
            { operation: 'TrainResult.artifactOf', details: { field: 'name' } },
          ),
        );
      }
      let p = packed.get(name);
      if (p === undefined) {
        p = pack(vi);
        packed.set(name, p);
        p.catch(() => packed.delete(name));
      }
      return p;
    };
    const best = results[bestIndex]!;
    const artifact = await artifactOf(best.name);
    return { variants: results, best: best.name, selectedBy, artifact, artifactOf };
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
