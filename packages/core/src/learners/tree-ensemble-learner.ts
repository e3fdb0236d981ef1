import { isTreesError, TreeEnsemble } from '@modelship/trees';
import type { z } from 'zod';
import { TrainingError, ValidationError } from '../errors.js';
import type { Matrix } from '../types/matrix.js';
import type { Serial } from '../types/serial.js';
import { firstNonFinite, invalidState, notFitted } from './check.js';
import type {
  ExplanationSpace,
  FitOptions,
  Learner,
  LearnerExplanation,
  LearnerState,
  LearnerTask,
} from './learner.js';
import { parseLearnerParams } from './params.js';

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
 * Checks what `TreeEnsemble.fromSerial` leaves to the caller: the ensemble's task is the learner's,
 * its outputs and transform agree with the task and class count, and every leaf value and base
 * score is finite (TrainingError `INVALID_DATA` naming the field).
 */
function checkEnsembleFits(kind: string, task: LearnerTask, m: TreeEnsemble): void {
  const bad = (field: string, message: string): never => invalidState(kind, `ensemble.${field}`, message);
  if (m.task !== task) bad('task', `is '${m.task}' but state.task is '${task}'`);
  const { numClasses: k, numOutputs: o, transform: t } = m;
  if (task === 'regression') {
    if (k !== 0) bad('numClasses', `expected 0 for regression, got ${k}`);
    if (o !== 1) bad('numOutputs', `expected 1 for regression, got ${o}`);
    if (t !== 'identity') bad('transform', `expected 'identity' for regression, got '${t}'`);
  } else {
    if (k < 2) bad('numClasses', `expected at least 2 classes, got ${k}`);
    if (t === 'sigmoid') {
      if (k !== 2 || o !== 1) bad('numOutputs', `a sigmoid needs 2 classes and 1 output, got ${k} classes and ${o}`);
    } else if (t === 'softmax' || t === 'proba') {
      if (o !== k) bad('numOutputs', `expected one output per class (${k}) with '${t}', got ${o}`);
    } else bad('transform', `expected 'sigmoid', 'softmax' or 'proba' for classification, got '${t}'`);
  }
  for (const [field, a] of [
    ['leafValues', m.leafValues],
    ['baseScore', m.baseScore],
  ] as const) {
    const i = firstNonFinite(a);
    if (i >= 0) bad(`${field}[${i}]`, `expected a finite number, got ${a[i]}`);
  }
}

/**
 * The shared wrapper of the `@modelship/trees` learners (`gbdt`, `forest`): validated params,
 * prediction through the compiled {@link TreeEnsemble}, the state (task plus the ensemble's serial
 * form) and the mapping of `TreesError` to core's errors. A subclass implements `fit` only.
 */
export abstract class TreeEnsembleLearner<K extends string, P extends object> implements Learner {
  /** The registered kind. */
  readonly kind: K;
  /** Regression or classification. */
  readonly task: LearnerTask;
  /** The validated hyperparameters. */
  protected readonly p: P;
  /** The fitted ensemble, undefined before fit. */
  protected model: TreeEnsemble | undefined;

  /** Validates `params` with `schema` (ValidationError naming the field) for a learner of `kind` and `task`. */
  protected constructor(kind: K, schema: z.ZodType<P>, params: P, task: LearnerTask) {
    this.kind = kind;
    this.p = parseLearnerParams(kind, schema, params);
    this.task = task;
  }

  /** Rebuilds a fitted learner of `kind` from a {@link TreeEnsembleLearner.toState} output, building it with `create`. */
  protected static restoreState<L extends TreeEnsembleLearner<string, object>>(
    kind: string,
    state: LearnerState,
    create: (params: LearnerState['params'], task: LearnerTask) => L,
  ): L {
    const s = state.state as { task?: unknown; ensemble?: unknown };
    if (s?.task !== 'classification' && s?.task !== 'regression') {
      throw new TrainingError('INVALID_DATA', `${kind}: state needs task and ensemble`, {
        operation: 'restoreLearner',
      });
    }
    const l = create(state.params, s.task);
    let m: TreeEnsemble;
    try {
      m = TreeEnsemble.fromSerial(s.ensemble);
    } catch (err) {
      throw fromTreesError(kind, err, 'restoreLearner');
    }
    checkEnsembleFits(kind, s.task, m);
    l.model = m;
    return l;
  }

  /** Number of input features of the fitted ensemble (`undefined` before fit). */
  get numFeatures(): number | undefined {
    return this.model?.numFeatures;
  }

  /** Number of classes of a fitted classifier (`undefined` for regression or before fit). */
  get numClasses(): number | undefined {
    return this.task === 'classification' ? this.model?.numClasses : undefined;
  }

  /** Fits the ensemble on `x` and `y`. */
  abstract fit(x: Matrix, y: Float64Array, options?: FitOptions): void | Promise<void>;

  /** Predicts one row: a value, or a class index. */
  predictRow(row: Float64Array): number {
    const m = this.model ?? notFitted(this.kind);
    try {
      return m.predictRow(row);
    } catch (err) {
      throw fromTreesError(this.kind, err, `${this.kind}.predict`);
    }
  }

  /** Predicts every row of `x`. */
  predict(x: Matrix): Float64Array {
    const m = this.model ?? notFitted(this.kind);
    try {
      return m.predict(x);
    } catch (err) {
      throw fromTreesError(this.kind, err, `${this.kind}.predict`);
    }
  }

  /** Class probabilities of one row (classification only; a new array). */
  predictProbaRow(row: Float64Array): Float64Array {
    const m = this.model ?? notFitted(this.kind);
    try {
      return m.predictProbaRow(row, new Float64Array(m.numClasses));
    } catch (err) {
      throw fromTreesError(this.kind, err, `${this.kind}.predictProba`);
    }
  }

  /**
   * Exact path-dependent TreeSHAP contributions of one row, in the ensemble's raw output space
   * (see {@link ExplanationSpace}). ValidationError `NOT_EXPLAINABLE` for an ensemble saved
   * before node covers were kept.
   */
  explainRow(row: Float64Array): LearnerExplanation {
    const m = this.model ?? notFitted(this.kind);
    if (!m.explainable) {
      throw new ValidationError(
        'NOT_EXPLAINABLE',
        `${this.kind}: this model was saved without node covers (before explanations existed); retrain it to explain its predictions`,
        { operation: `${this.kind}.explain`, details: { learner: this.kind } },
      );
    }
    let e: { expectedValue: Float64Array; values: Float64Array };
    try {
      e = m.explainRow(row);
    } catch (err) {
      throw fromTreesError(this.kind, err, `${this.kind}.explain`);
    }
    const spaces: Record<string, ExplanationSpace> = {
      identity: 'value',
      sigmoid: 'log-odds',
      softmax: 'margin',
      proba: 'probability',
    };
    return { method: 'tree-shap', space: spaces[m.transform]!, expectedValue: e.expectedValue, values: e.values };
  }

  /** The compiled ensemble (for feature importance, raw scores…). */
  ensemble(): TreeEnsemble {
    return this.model ?? notFitted(this.kind);
  }

  /** The hyperparameters, as data. */
  params(): { readonly [key: string]: Serial } {
    return { ...this.p } as { readonly [key: string]: Serial };
  }

  /** The fitted state: the task and the compiled ensemble's serial form (typed arrays). */
  toState(): LearnerState {
    const m = this.model ?? notFitted(this.kind);
    return {
      kind: this.kind,
      params: this.params(),
      state: { task: this.task, ensemble: m.toSerial() as unknown as Serial },
    };
  }
}
