import { trainForest, trainForestParallel, TreeEnsemble, type ForestOptions } from '@modelship/trees';
import { z } from 'zod';
import { TrainingError } from '../errors.js';
import type { Matrix } from '../types/matrix.js';
import type { Serial } from '../types/serial.js';
import { classCount, notFitted } from './check.js';
import { fromTreesError } from './gbdt.js';
import type { FitOptions, Learner, LearnerState, LearnerTask } from './learner.js';
import { parseLearnerParams } from './params.js';
import type { LearnerDefinition } from './registry.js';

/** Hyperparameters of the `forest` learner (the defaults are those of `@modelship/trees` `trainForest`). */
export interface ForestParams {
  /** Number of trees (default 100). */
  trees?: number;
  /** Split quality: `'mse'` (regression default), `'gini'` (classification default) or `'entropy'`. */
  criterion?: 'mse' | 'gini' | 'entropy';
  /** Features drawn per split: `'sqrt'`, `'log2'`, `'all'` or a fraction in (0, 1] (default `'all'` for regression, `'sqrt'` for classification). */
  maxFeatures?: 'sqrt' | 'log2' | 'all' | number;
  /** Maximum depth (default 0 = unlimited). */
  maxDepth?: number;
  /** Maximum leaves per tree (default 0 = unlimited). */
  maxLeaves?: number;
  /** Minimum rows per leaf (default 3 for regression, 1 for classification). */
  minSamplesLeaf?: number;
  /** Maximum bins per feature, 2…255 (default 255). */
  maxBins?: number;
  /** Draw a bootstrap sample for each tree (default true). */
  bootstrap?: boolean;
  /** Compute the out-of-bag score (default false; needs `bootstrap`). */
  oobScore?: boolean;
  /** Per-class weights or `'balanced'` (classification only; default none). */
  classWeights?: 'balanced' | number[];
  /** Grow the trees in this thread plus `workers - 1` worker threads (default 1: it pays only on an otherwise idle multi-core machine). */
  workers?: number;
  /** Seed of every random choice (default 0). */
  seed?: number;
}

const paramsSchema: z.ZodType<ForestParams> = z
  .object({
    trees: z.number().int().positive().optional(),
    criterion: z.enum(['mse', 'gini', 'entropy']).optional(),
    maxFeatures: z.union([z.enum(['sqrt', 'log2', 'all']), z.number().positive().max(1)]).optional(),
    maxDepth: z.number().int().nonnegative().optional(),
    maxLeaves: z.number().int().nonnegative().optional(),
    minSamplesLeaf: z.number().int().positive().optional(),
    maxBins: z.number().int().min(2).max(255).optional(),
    bootstrap: z.boolean().optional(),
    oobScore: z.boolean().optional(),
    classWeights: z.union([z.literal('balanced'), z.array(z.number().positive())]).optional(),
    workers: z.number().int().min(1).max(64).optional(),
    seed: z.number().int().optional(),
  })
  .strict();

/**
 * Histogram random forest from `@modelship/trees`, registered as kind `'forest'`: bootstrap rows,
 * per-split feature sampling, MSE (regression) or Gini / entropy (classification), optional
 * out-of-bag score and worker threads. The state is the compiled ensemble (typed arrays).
 */
export class ForestLearner implements Learner {
  readonly kind = 'forest';
  readonly task: LearnerTask;
  private readonly p: ForestParams;
  private model: TreeEnsemble | undefined;
  /** Out-of-bag R² or accuracy of the last fit (when `oobScore` is set). */
  oobScore: number | undefined;

  /** Builds an unfitted forest for `task` (default regression). */
  constructor(params: ForestParams = {}, task: LearnerTask = 'regression') {
    this.p = parseLearnerParams('forest', paramsSchema, params);
    this.task = task;
  }

  /** Rebuilds a fitted forest from {@link ForestLearner.toState} output. */
  static fromState(state: LearnerState): ForestLearner {
    const s = state.state as { task?: unknown; ensemble?: unknown };
    if (s?.task !== 'classification' && s?.task !== 'regression') {
      throw new TrainingError('INVALID_DATA', 'forest: state needs task and ensemble', { operation: 'restoreLearner' });
    }
    const l = new ForestLearner(state.params as ForestParams, s.task);
    try {
      l.model = TreeEnsemble.fromSerial(s.ensemble);
    } catch (err) {
      throw fromTreesError('forest', err, 'restoreLearner');
    }
    return l;
  }

  /** Fits the forest (in worker threads when `workers` > 1, then the returned promise resolves when done). */
  fit(x: Matrix, y: Float64Array, options: FitOptions = {}): void | Promise<void> {
    const classification = this.task === 'classification';
    const { workers, seed, ...rest } = this.p;
    const opts: ForestOptions = {
      ...rest,
      task: this.task,
      ...(classification ? { numClasses: classCount(y, options.numClasses) } : {}),
      seed: seed ?? options.seed ?? 0,
      ...(options.sampleWeight ? { sampleWeight: options.sampleWeight } : {}),
      ...(options.onProgress
        ? { onProgress: (p) => options.onProgress!(p.completed / p.total, `tree ${p.completed}/${p.total}`) }
        : {}),
    };
    if (workers !== undefined && workers > 1) {
      return trainForestParallel(x, y, { ...opts, workers }).then(
        (r) => {
          this.model = r.model;
          this.oobScore = r.oobScore;
        },
        (err: unknown) => {
          throw fromTreesError('forest', err, 'forest.fit');
        },
      );
    }
    try {
      const r = trainForest(x, y, opts);
      this.model = r.model;
      this.oobScore = r.oobScore;
    } catch (err) {
      throw fromTreesError('forest', err, 'forest.fit');
    }
  }

  /** Predicts one row: a value, or a class index. */
  predictRow(row: Float64Array): number {
    const m = this.model ?? notFitted('forest');
    try {
      return m.predictRow(row);
    } catch (err) {
      throw fromTreesError('forest', err, 'forest.predict');
    }
  }

  /** Predicts every row of `x`. */
  predict(x: Matrix): Float64Array {
    const m = this.model ?? notFitted('forest');
    try {
      return m.predict(x);
    } catch (err) {
      throw fromTreesError('forest', err, 'forest.predict');
    }
  }

  /** Class probabilities of one row (classification only; a new array). */
  predictProbaRow(row: Float64Array): Float64Array {
    const m = this.model ?? notFitted('forest');
    try {
      return m.predictProbaRow(row, new Float64Array(m.numClasses));
    } catch (err) {
      throw fromTreesError('forest', err, 'forest.predictProba');
    }
  }

  /** The compiled ensemble (for feature importance…). */
  ensemble(): TreeEnsemble {
    return this.model ?? notFitted('forest');
  }

  /** The hyperparameters, as data. */
  params(): { readonly [key: string]: Serial } {
    return { ...this.p } as { readonly [key: string]: Serial };
  }

  /** The fitted state: the task and the compiled ensemble's serial form (typed arrays). */
  toState(): LearnerState {
    const m = this.model ?? notFitted('forest');
    return {
      kind: 'forest',
      params: this.params(),
      state: { task: this.task, ensemble: m.toSerial() as unknown as Serial },
    };
  }
}

/**
 * The registry entry of the `forest` learner.
 *
 * @example
 * ```ts
 * const rf = createLearner('forest', { trees: 100, maxFeatures: 'sqrt' }, 'classification');
 * ```
 */
export const forestLearner: LearnerDefinition = {
  kind: 'forest',
  tasks: ['regression', 'classification'],
  description: 'histogram random forest (@modelship/trees)',
  create: (params, task) => new ForestLearner(params as ForestParams, task),
  restore: (state) => ForestLearner.fromState(state),
};
