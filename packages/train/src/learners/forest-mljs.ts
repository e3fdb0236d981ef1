import { RandomForestClassifier, RandomForestRegression } from 'ml-random-forest';
import { z } from 'zod';
import { TrainingError } from '@modelship/core';
import type { Matrix } from '@modelship/core';
import type { Serial } from '@modelship/core';
import { checkFitInput, checkRow, checkRowFinite, classCount, notFitted, predictRows } from '@modelship/core/learners';
import type { FitOptions } from '@modelship/core/learners';
import type { Learner, LearnerState, LearnerTask } from '@modelship/core';
import { parseLearnerParams } from '@modelship/core/learners';
import type { LearnerDefinition } from '@modelship/core/learners';

const paramsSchema = z
  .object({
    nEstimators: z.number().int().positive().default(50),
    maxFeatures: z.number().positive().default(1),
    maxDepth: z.number().int().positive().optional(),
    minNumSamples: z.number().int().positive().optional(),
    replacement: z.boolean().default(true),
    useSampleBagging: z.boolean().default(true),
    seed: z.number().int().optional(),
  })
  .strict();

/** Hyperparameters of the `forest-mljs` learner (passed to ml-random-forest). */
export interface ForestMljsParams {
  /** Number of trees; default 50. */
  nEstimators?: number;
  /** Features per tree: an integer count, or a fraction in (0, 1]; default 1 (all). */
  maxFeatures?: number;
  /** Maximum tree depth; default unlimited. */
  maxDepth?: number;
  /** Minimum samples to split a node; default ml-cart's (3). */
  minNumSamples?: number;
  /** Sample features with replacement; default true. */
  replacement?: boolean;
  /** Bootstrap the rows of each tree; default true. */
  useSampleBagging?: boolean;
  /** Seed (32-bit integer); default the trainer's seed, else 42. */
  seed?: number;
}

type Forest = RandomForestClassifier | RandomForestRegression;

/**
 * An adapter over `ml-random-forest` (classifier and regressor), registered as kind
 * `'forest-mljs'`. Measured on this project's machine: ml-random-forest builds each split by
 * scanning every threshold (quadratic in the rows), so it suits small data such as Iris (150
 * rows, milliseconds) but not California (20,640 rows: 10 trees took 519 s, 25 trees 1,241 s).
 * For large data use the `@modelship/trees` ensembles (`forest`, `gbdt`). The state is the
 * library's own `toJSON()` model (plain JSON data), restored with its `load()`; class
 * probabilities are the fraction of trees voting for each class.
 */
export class ForestMljsLearner implements Learner {
  /** The registered kind, `'forest-mljs'`. */
  readonly kind = 'forest-mljs';
  /** Classification or regression, fixed at construction. */
  readonly task: LearnerTask;
  private readonly p: z.infer<typeof paramsSchema>;
  private model: Forest | undefined;
  private json: Serial | undefined;
  private k = 0;
  /** Feature columns it was fitted on (`undefined` for states saved before this was recorded). */
  private numFeatures: number | undefined;

  /** Builds an unfitted forest for `task` (default classification). */
  constructor(params: ForestMljsParams = {}, task: LearnerTask = 'classification') {
    this.p = parseLearnerParams('forest-mljs', paramsSchema, params);
    this.task = task;
  }

  /** Rebuilds a fitted forest from {@link ForestMljsLearner.toState} output. */
  static fromState(state: LearnerState): ForestMljsLearner {
    const s = state.state as { task?: unknown; model?: unknown; numClasses?: unknown; numFeatures?: unknown };
    if ((s?.task !== 'classification' && s?.task !== 'regression') || typeof s.model !== 'object' || s.model === null) {
      throw new TrainingError('INVALID_DATA', 'forest-mljs: state needs task and model', {
        operation: 'restoreLearner',
      });
    }
    const l = new ForestMljsLearner(state.params as ForestMljsParams, s.task);
    l.load(s.model as Serial, typeof s.numClasses === 'number' ? s.numClasses : 0);
    if (typeof s.numFeatures === 'number') l.numFeatures = s.numFeatures;
    return l;
  }

  private load(json: Serial, k: number): void {
    try {
      this.model =
        this.task === 'classification'
          ? RandomForestClassifier.load(json as never)
          : RandomForestRegression.load(json as never);
    } catch (cause) {
      throw new TrainingError('INVALID_DATA', `forest-mljs: cannot load the model state: ${(cause as Error).message}`, {
        operation: 'restoreLearner',
        cause,
      });
    }
    this.json = json;
    this.k = k;
  }

  /** Trains the ml-random-forest model on `x` and `y` (no `sampleWeight`; seed: the param, `options.seed`, or 42). */
  fit(x: Matrix, y: Float64Array, options: FitOptions = {}): void {
    const cls = this.task === 'classification';
    checkFitInput('forest-mljs', x, y, cls, options.numClasses);
    if (options.sampleWeight !== undefined) {
      throw new TrainingError('INVALID_DATA', 'forest-mljs: sampleWeight is not supported', {
        operation: 'forest-mljs.fit',
      });
    }
    const rows: number[][] = [];
    for (let i = 0; i < x.rows; i++) rows.push(Array.from(x.data.subarray(i * x.cols, (i + 1) * x.cols)));
    const treeOptions: Record<string, number> = {};
    if (this.p.maxDepth !== undefined) treeOptions.maxDepth = this.p.maxDepth;
    if (this.p.minNumSamples !== undefined) treeOptions.minNumSamples = this.p.minNumSamples;
    const opts = {
      nEstimators: this.p.nEstimators,
      maxFeatures: this.p.maxFeatures,
      replacement: this.p.replacement,
      useSampleBagging: this.p.useSampleBagging,
      seed: (this.p.seed ?? options.seed ?? 42) | 0,
      treeOptions,
      noOOB: true,
    };
    const model = cls ? new RandomForestClassifier(opts) : new RandomForestRegression(opts);
    try {
      model.train(rows, Array.from(y));
    } catch (cause) {
      throw new TrainingError('FAILED', `forest-mljs: training failed: ${(cause as Error).message}`, {
        operation: 'forest-mljs.fit',
        cause,
      });
    }
    // keep the plain-data form and predict from a model loaded from it, so a restored
    // artifact predicts exactly as the freshly fitted learner
    const json = JSON.parse(JSON.stringify(model.toJSON())) as Serial;
    this.load(json, cls ? classCount(y, options.numClasses) : 0);
    this.numFeatures = x.cols;
  }

  /** The row as the plain array ml-random-forest reads, after checking it. */
  private rowArray(row: Float64Array): number[] {
    checkRow('forest-mljs', row, this.numFeatures);
    checkRowFinite('forest-mljs', row);
    return Array.from(row);
  }

  /** Class probabilities of one row: the fraction of trees voting for each class (classifiers only; a new array). */
  predictProbaRow(row: Float64Array): Float64Array {
    const m = this.model ?? notFitted('forest-mljs');
    if (this.task !== 'classification')
      throw new TrainingError('INVALID_DATA', 'forest-mljs: probabilities need a classifier', {
        operation: 'forest-mljs.predict',
      });
    const votes = m.predictionValues([this.rowArray(row)]);
    const out = new Float64Array(this.k);
    const t = votes.columns;
    for (let e = 0; e < t; e++) {
      const c = votes.get(0, e);
      if (c >= 0 && c < this.k) out[c]! += 1;
    }
    for (let c = 0; c < this.k; c++) out[c]! /= t;
    return out;
  }

  /** Predicts one row: the most voted class index (classification) or the forest's value (regression). */
  predictRow(row: Float64Array): number {
    if (this.task === 'classification') {
      const p = this.predictProbaRow(row);
      let best = 0;
      for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
      return best;
    }
    const m = this.model ?? notFitted('forest-mljs');
    return m.predict([this.rowArray(row)])[0]!;
  }

  /** Predicts every row of `x`. */
  predict(x: Matrix): Float64Array {
    if (!this.model) notFitted('forest-mljs');
    return predictRows('forest-mljs', x, (row) => this.predictRow(row), this.numFeatures);
  }

  /** The validated hyperparameters that are set, as data. */
  params(): { readonly [key: string]: Serial } {
    const out: Record<string, Serial> = {};
    for (const [key, v] of Object.entries(this.p)) if (v !== undefined) out[key] = v;
    return out;
  }

  /** The fitted state: the task, class and feature counts, and the library's `toJSON()` model. */
  toState(): LearnerState {
    const json = this.json ?? notFitted('forest-mljs');
    const state: { [key: string]: Serial } = { task: this.task, numClasses: this.k, model: json };
    if (this.numFeatures !== undefined) state.numFeatures = this.numFeatures;
    return { kind: 'forest-mljs', params: this.params(), state };
  }
}

/** The registry entry of the `forest-mljs` learner (ml-random-forest adapter; small data only). */
export const forestMljsLearner: LearnerDefinition = {
  kind: 'forest-mljs',
  tasks: ['classification', 'regression'],
  description: 'ml-random-forest adapter (small data only: quadratic split search)',
  create: (params, task) => new ForestMljsLearner(params as ForestMljsParams, task),
  restore: (state) => ForestMljsLearner.fromState(state),
};
