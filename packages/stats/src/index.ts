/**
 * @modelship/stats: special functions (normal, gamma, beta, chi-squared) shared by the evaluator and the drift tests; no dependencies.
 *
 * @module
 */
export {
  chiSquaredSf,
  erf,
  erfc,
  gammaP,
  gammaQ,
  logBeta,
  logBinomial,
  logGamma,
  normalCdf,
  normalQuantile,
  normalSf,
  stirlingCorrection,
} from './special-functions.js';
