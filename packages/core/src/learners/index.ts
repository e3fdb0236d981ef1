/**
 * `@modelship/core/learners`: the learner contract and catalog, the built-in learners (`linear`,
 * `logistic`, `gbdt`, `forest`) and the input checks a new learner kind reuses.
 *
 * @module @modelship/core/learners
 */
export type {
  Learner,
  LearnerState,
  LearnerTask,
  FitOptions,
  LearnerDefinition,
  LearnerParams,
  LearnerExplanation,
  ExplanationSpace,
} from './learner.js';
export {
  registerLearner,
  createLearner,
  restoreLearner,
  learnerKinds,
  getLearnerDefinition,
} from './learner-catalog.js';
export { parseLearnerParams } from './params.js';
export {
  MAX_INFERRED_CLASSES,
  checkMatrix,
  checkRow,
  checkRowFinite,
  predictRows,
  checkFitInput,
  notFitted,
  classCount,
  readCoefState,
  checkSampleWeight,
} from './check.js';
export { LinearLearner, linearLearner } from './linear.js';
export type { LinearParams } from './linear.js';
export { LogisticLearner, logisticLearner } from './logistic.js';
export type { LogisticParams } from './logistic.js';
export { GbdtLearner, gbdtLearner } from './gbdt.js';
export type { GbdtParams } from './gbdt.js';
export { ForestLearner, forestLearner } from './forest.js';
export { TreeEnsembleLearner } from './tree-ensemble-learner.js';
export type { ForestParams } from './forest.js';
