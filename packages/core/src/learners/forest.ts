import { trainForest, trainForestParallel, type ForestOptions } from '@modelship/trees';
import { z } from 'zod';
import type { Matrix } from '../types/matrix.js';
import { classCount } from './check.js';
import type { FitOptions, LearnerDefinition, LearnerState, LearnerTask } from './learner.js';
import { fromTreesError, TreeEnsembleLearner } from './tree-ensemble-learner.js';

/**
 * Hyperparameters of the `forest` learner: those of `@modelship/trees` {@link ForestOptions} (documented
 * there, with their defaults) plus `workers`.
 */
export interface ForestParams
  extends Pick<
    ForestOptions,
    | 'trees'
    | 'criterion'
    | 'maxFeatures'
    | 'maxDepth'
    | 'maxLeaves'
    | 'minSamplesLeaf'
    | 'maxBins'
    | 'bootstrap'
    | 'oobScore'
    | 'classWeights'
    | 'seed'
  > {
  /** Grow the trees in this thread plus `workers - 1` worker threads (default 1: it pays only on an otherwise idle multi-core machine). */
  workers?: number | undefined;
}

const paramsSchema: z.ZodType<ForestParams> = z
  .object({
    trees: z.number().int().positive().optional(),
    criterion: z.enum(['mse', 'gini', 'entropy']).optional(),
    maxFeatures: z.union([z.enum(['sqrt', 'log2', 'all']), z.number().positive().max(1)]).optional(),
    maxDepth: z.number().int().nonnegative().optional(),
    maxLeaves: z.number().int().nonnegative().optional(),
    minSamplesLeaf: z.number().int().positive().optional(),
    maxBins: z.union([z.number().int().min(2).max(255), z.literal('exact')]).optional(),
    bootstrap: z.boolean().optional(),
    oobScore: z.boolean().optional(),
    classWeights: z.union([z.literal('balanced'), z.array(z.number().positive())]).optional(),
    workers: z.number().int().min(1).max(64).optional(),
    seed: z.number().int().optional(),
  })
  .strict();

/**
 * Random forest from `@modelship/trees`, registered as kind `'forest'`: bootstrap rows, per-split
 * feature sampling, MSE (regression; exact thresholds between distinct values by default,
 * `maxBins: 'exact'`) or Gini / entropy (classification; 255-bin histograms), optional out-of-bag
 * score and worker threads. The state is the compiled ensemble (typed arrays).
 */
export class ForestLearner extends TreeEnsembleLearner<'forest', ForestParams> {
  /** Out-of-bag R² or accuracy of the last fit (when `oobScore` is set). */
  oobScore: number | undefined;

  /** Builds an unfitted forest for `task` (default regression). */
  constructor(params: ForestParams = {}, task: LearnerTask = 'regression') {
    super('forest', paramsSchema, params, task);
  }

  /** Rebuilds a fitted forest from {@link ForestLearner.toState} output. */
  static fromState(state: LearnerState): ForestLearner {
    return TreeEnsembleLearner.restoreState(
      'forest',
      state,
      (params, task) => new ForestLearner(params as ForestParams, task),
    );
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
