import { trainGbdt, type GbdtOptions } from '@modelship/trees';
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { Matrix } from '../types/matrix.js';
import { classCount } from './check.js';
import type { FitOptions, LearnerDefinition, LearnerState, LearnerTask } from './learner.js';
import { fromTreesError, TreeEnsembleLearner } from './tree-ensemble-learner.js';

/**
 * Hyperparameters of the `gbdt` learner: those of `@modelship/trees` {@link GbdtOptions} (documented there,
 * with their defaults) but for `objective`, which covers regression only.
 */
export interface GbdtParams
  extends Pick<
    GbdtOptions,
    | 'rounds'
    | 'learningRate'
    | 'maxLeaves'
    | 'maxDepth'
    | 'minSamplesLeaf'
    | 'lambda'
    | 'subsample'
    | 'colsample'
    | 'maxBins'
    | 'huberDelta'
    | 'earlyStoppingRounds'
    | 'classWeights'
    | 'seed'
  > {
  /** Regression loss: `'squared'` (default), `'absolute'` or `'huber'`; classification always uses log loss / softmax. */
  objective?: 'squared' | 'absolute' | 'huber' | undefined;
}

const paramsSchema: z.ZodType<GbdtParams> = z
  .object({
    objective: z.enum(['squared', 'absolute', 'huber']).optional(),
    rounds: z.number().int().positive().optional(),
    learningRate: z.number().positive().optional(),
    maxLeaves: z.number().int().nonnegative().optional(),
    maxDepth: z.number().int().nonnegative().optional(),
    minSamplesLeaf: z.number().int().positive().optional(),
    lambda: z.number().nonnegative().optional(),
    subsample: z.number().positive().max(1).optional(),
    colsample: z.number().positive().max(1).optional(),
    maxBins: z.number().int().min(2).max(255).optional(),
    huberDelta: z.number().positive().optional(),
    earlyStoppingRounds: z.number().int().nonnegative().optional(),
    classWeights: z.union([z.literal('balanced'), z.array(z.number().positive())]).optional(),
    seed: z.number().int().optional(),
  })
  .strict();

/**
 * Histogram gradient boosting from `@modelship/trees`, registered as kind `'gbdt'`:
 * regression (squared, absolute or Huber error) and classification (binary log loss or
 * softmax, chosen by the number of classes). Missing values (NaN) are handled natively; the
 * trainer's validation set drives early stopping. The state is the compiled ensemble (typed arrays).
 */
export class GbdtLearner extends TreeEnsembleLearner<'gbdt', GbdtParams> {
  /** Builds an unfitted learner for `task` (default regression). */
  constructor(params: GbdtParams = {}, task: LearnerTask = 'regression') {
    super('gbdt', paramsSchema, params, task);
    if (task === 'classification' && this.p.objective !== undefined) {
      throw new ValidationError(
        'INVALID_OPTIONS',
        "invalid params for learner 'gbdt': objective is for regression only",
        {
          operation: 'createLearner',
          details: { field: 'objective' },
        },
      );
    }
  }

  /** Rebuilds a fitted learner from {@link GbdtLearner.toState} output. */
  static fromState(state: LearnerState): GbdtLearner {
    return TreeEnsembleLearner.restoreState(
      'gbdt',
      state,
      (params, task) => new GbdtLearner(params as GbdtParams, task),
    );
  }

  /** Fits the ensemble; a validation set in `options` enables early stopping. */
  fit(x: Matrix, y: Float64Array, options: FitOptions = {}): void {
    const classification = this.task === 'classification';
    const k = classification ? classCount(y, options.numClasses) : 0;
    const { objective, seed, ...rest } = this.p;
    const opts: GbdtOptions = {
      ...rest,
      objective: classification ? (k === 2 ? 'binary' : 'multiclass') : (objective ?? 'squared'),
      ...(classification ? { numClasses: k } : {}),
      seed: seed ?? options.seed ?? 0,
      ...(options.sampleWeight ? { sampleWeight: options.sampleWeight } : {}),
      ...(options.validation ? { validation: options.validation } : {}),
      ...(options.onProgress
        ? { onProgress: (p) => options.onProgress!(p.completed / p.total, `round ${p.completed}/${p.total}`) }
        : {}),
    };
    try {
      this.model = trainGbdt(x, y, opts).model;
    } catch (err) {
      throw fromTreesError('gbdt', err, 'gbdt.fit');
    }
  }
}

/**
 * The registry entry of the `gbdt` learner.
 *
 * @example
 * ```ts
 * const gb = createLearner('gbdt', { rounds: 200, learningRate: 0.05 });
 * ```
 */
export const gbdtLearner: LearnerDefinition = {
  kind: 'gbdt',
  tasks: ['regression', 'classification'],
  description: 'histogram gradient boosting (@modelship/trees)',
  create: (params, task) => new GbdtLearner(params as GbdtParams, task),
  restore: (state) => GbdtLearner.fromState(state),
};
