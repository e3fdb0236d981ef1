import type { Matrix } from '../types/matrix.js';
import type { Serial } from '../types/serial.js';

/** What a learner predicts. Class labels are encoded as indices `0 … numClasses-1`. */
export type LearnerTask = 'regression' | 'classification';

/** Options passed to {@link Learner.fit}. */
export interface FitOptions {
  /** Number of classes for classification (targets are class indices). */
  numClasses?: number;
  /** Seed for any randomness the learner uses; the same seed gives the same model. */
  seed?: number;
  /** Optional per-row weights. */
  sampleWeight?: Float64Array;
  /** Optional validation set, for learners that stop early. */
  validation?: {
    /** Validation features (rows × features). */
    x: Matrix;
    /** Validation targets or class indices, one per row of `x`. */
    y: Float64Array;
  };
  /** Called with progress in [0, 1] and an optional message. */
  onProgress?: (fraction: number, message?: string) => void;
}

/**
 * The space an explanation's numbers are in: the regression `'value'`, the `'log-odds'` of the
 * positive class (binary boosting), the per-class `'margin'` before the softmax (multiclass
 * boosting, logistic regression) or the class `'probability'` (classification forests).
 */
export type ExplanationSpace = 'value' | 'log-odds' | 'margin' | 'probability';

/** Per-feature contributions of one row, from {@link Learner.explainRow}. */
export interface LearnerExplanation {
  /** How they were computed: exact path-dependent TreeSHAP (`gbdt`, `forest`) or exact linear SHAP against the training means (`logistic`). */
  readonly method: 'tree-shap' | 'linear-shap';
  /** The space of `expectedValue` and `values`. */
  readonly space: ExplanationSpace;
  /** The expected output per output (1, or one per class). */
  readonly expectedValue: Float64Array;
  /** Contributions, `outputs × features` (output-major); per output they sum with `expectedValue` to the raw output. */
  readonly values: Float64Array;
}

/** The serial form of a fitted learner: plain data, never code. */
export interface LearnerState {
  /** The registered learner kind, e.g. `'linear'`, `'gbdt'`. */
  readonly kind: string;
  /** The hyperparameters it was built with. */
  readonly params: { readonly [key: string]: Serial };
  /** Everything needed to predict (coefficients, trees…), as JSON plus typed arrays. */
  readonly state: Serial;
}

/**
 * A model that learns from a numeric matrix. Every learner of modelship (linear, logistic, the
 * adapters over ml-* libraries and the `@modelship/trees` ensembles) implements it. A kind
 * becomes usable by trainers and model artifacts once registered with `registerLearner`
 * (`learners/learner-catalog.ts`); `toState()` must be data only (JSON + typed arrays), and the
 * definition's `restore(state)` must predict bit for bit like the learner that produced it.
 */
export interface Learner {
  /** The registered kind, e.g. `'linear'`, `'logistic'`, `'gbdt'`, `'forest'`. */
  readonly kind: string;
  /** Regression or classification. */
  readonly task: LearnerTask;
  /** Fits on `x` (rows × features) and `y` (one target or class index per row). */
  fit(x: Matrix, y: Float64Array, options?: FitOptions): void | Promise<void>;
  /** Predicts one row: a value (regression) or a class index (classification). */
  predictRow(row: Float64Array): number;
  /** Predicts every row of `x`. */
  predict(x: Matrix): Float64Array;
  /** Class probabilities of one row (classification learners only). */
  predictProbaRow?(row: Float64Array): Float64Array;
  /** Per-feature contributions of one row (learners that can explain; ValidationError `NOT_EXPLAINABLE` when this fitted model cannot). */
  explainRow?(row: Float64Array): LearnerExplanation;
  /** The hyperparameters, as data. */
  params(): { readonly [key: string]: Serial };
  /** The fitted state, as data (see {@link LearnerState}). */
  toState(): LearnerState;
}

/** Hyperparameters of a learner, as data. */
export type LearnerParams = { readonly [key: string]: Serial };

/**
 * How to build and restore one kind of learner. Register one with {@link registerLearner};
 * the `@modelship/trees` ensembles (`gbdt`, `forest`) register themselves the same way.
 */
export interface LearnerDefinition {
  /** The kind name used in trainer variants and learner states, e.g. `'linear'`. */
  readonly kind: string;
  /** The tasks this kind can learn; the first one is the default. */
  readonly tasks: readonly LearnerTask[];
  /** A one-line description shown in listings. */
  readonly description?: string;
  /** Builds an unfitted learner for `task` with the given hyperparameters. */
  create(params: LearnerParams, task: LearnerTask): Learner;
  /** Rebuilds a fitted learner from its serial state (data only, never code). */
  restore(state: LearnerState): Learner;
}
