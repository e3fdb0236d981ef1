import { isTreesError, trainGbdt, TreeEnsemble, type GbdtOptions } from '@modelship/trees';
import { z } from 'zod';
import { TrainingError, ValidationError } from '../errors.js';
import type { Matrix } from '../types/matrix.js';
import type { Serial } from '../types/serial.js';
import { classCount, notFitted } from './check.js';
import type { FitOptions, Learner, LearnerState, LearnerTask } from './learner.js';
import { parseLearnerParams } from './params.js';
import type { LearnerDefinition } from './registry.js';

/** Hyperparameters of the `gbdt` learner (the defaults are those of `@modelship/trees` `trainGbdt`). */
export interface GbdtParams {
  /** Regression loss: `'squared'` (default), `'absolute'` or `'huber'`; classification always uses log loss / softmax. */
  objective?: 'squared' | 'absolute' | 'huber';
  /** Boosting rounds (default 100). */
  rounds?: number;
  /** Shrinkage of each tree (default 0.1). */
  learningRate?: number;
  /** Maximum leaves per tree, grown best-first (default 31; 0 = unlimited). */
  maxLeaves?: number;
  /** Maximum depth (default 0 = unlimited). */
  maxDepth?: number;
  /** Minimum rows per leaf (default 20). */
  minSamplesLeaf?: number;
  /** L2 regularisation of leaf values (default 1). */
  lambda?: number;
  /** Fraction of rows drawn for each round (default 1). */
  subsample?: number;
  /** Fraction of features drawn for each tree (default 1). */
  colsample?: number;
  /** Maximum bins per feature, 2…255 (default 255). */
  maxBins?: number;
  /** Huber loss threshold (default 1). */
  huberDelta?: number;
  /** Stop when the validation loss has not improved for this many rounds, given a validation set (default 10; 0 = never). */
  earlyStoppingRounds?: number;
  /** Per-class weights or `'balanced'` (classification only; default none). */
  classWeights?: 'balanced' | number[];
  /** Seed of every random choice (default 0). */
  seed?: number;
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

/** Turns a `TreesError` into core's error classes (bad options → ValidationError, the rest → TrainingError). */
export function fromTreesError(kind: string, err: unknown, operation: string): Error {
  if (!isTreesError(err)) return err as Error;
  if (err.code === 'INVALID_OPTIONS') {
    return new ValidationError('INVALID_OPTIONS', `${kind}: ${err.message}`, {
      operation,
      cause: err,
      ...(err.details ? { details: err.details } : {}),
    });
  }
  return new TrainingError(
    err.code === 'INVALID_INPUT' || err.code === 'INVALID_MODEL' ? 'INVALID_DATA' : 'FAILED',
    `${kind}: ${err.message}`,
    {
      operation,
      cause: err,
      ...(err.details ? { details: err.details } : {}),
    },
  );
}

/**
 * Histogram gradient boosting from `@modelship/trees`, registered as kind `'gbdt'`:
 * regression (squared, absolute or Huber error) and classification (binary log loss or
 * softmax, chosen by the number of classes). Missing values (NaN) are handled natively; the
 * trainer's validation set drives early stopping. The state is the compiled ensemble (typed arrays).
 */
export class GbdtLearner implements Learner {
  readonly kind = 'gbdt';
  readonly task: LearnerTask;
  private readonly p: GbdtParams;
  private model: TreeEnsemble | undefined;

  /** Builds an unfitted learner for `task` (default regression). */
  constructor(params: GbdtParams = {}, task: LearnerTask = 'regression') {
    this.p = parseLearnerParams('gbdt', paramsSchema, params);
    this.task = task;
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
    const s = state.state as { task?: unknown; ensemble?: unknown };
    if (s?.task !== 'classification' && s?.task !== 'regression') {
      throw new TrainingError('INVALID_DATA', 'gbdt: state needs task and ensemble', { operation: 'restoreLearner' });
    }
    const l = new GbdtLearner(state.params as GbdtParams, s.task);
    try {
      l.model = TreeEnsemble.fromSerial(s.ensemble);
    } catch (err) {
      throw fromTreesError('gbdt', err, 'restoreLearner');
    }
    return l;
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

  /** Predicts one row: a value, or a class index. */
  predictRow(row: Float64Array): number {
    const m = this.model ?? notFitted('gbdt');
    try {
      return m.predictRow(row);
    } catch (err) {
      throw fromTreesError('gbdt', err, 'gbdt.predict');
    }
  }

  /** Predicts every row of `x`. */
  predict(x: Matrix): Float64Array {
    const m = this.model ?? notFitted('gbdt');
    try {
      return m.predict(x);
    } catch (err) {
      throw fromTreesError('gbdt', err, 'gbdt.predict');
    }
  }

  /** Class probabilities of one row (classification only; a new array). */
  predictProbaRow(row: Float64Array): Float64Array {
    const m = this.model ?? notFitted('gbdt');
    try {
      return m.predictProbaRow(row, new Float64Array(m.numClasses));
    } catch (err) {
      throw fromTreesError('gbdt', err, 'gbdt.predictProba');
    }
  }

  /** The compiled ensemble (for feature importance, raw scores…). */
  ensemble(): TreeEnsemble {
    return this.model ?? notFitted('gbdt');
  }

  /** The hyperparameters, as data. */
  params(): { readonly [key: string]: Serial } {
    return { ...this.p } as { readonly [key: string]: Serial };
  }

  /** The fitted state: the task and the compiled ensemble's serial form (typed arrays). */
  toState(): LearnerState {
    const m = this.model ?? notFitted('gbdt');
    return {
      kind: 'gbdt',
      params: this.params(),
      state: { task: this.task, ensemble: m.toSerial() as unknown as Serial },
    };
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
