import type { ExplanationSpace, LearnerExplanation } from '../learners/learner.js';

/** One output of an {@link Explanation}: its expected value and the contributions that add up to it. */
export interface ExplanationOutput {
  /** `'value'` (regression), or the class label this output scores (binary boosting: the positive class). */
  readonly name: string;
  /** The model's expected output over the training data (the SHAP base value). */
  readonly expectedValue: number;
  /** The raw output explained: `expectedValue` plus every contribution. */
  readonly output: number;
  /** Contributions summed by input column (a one-hot column's levels summed into the column). */
  readonly columns: { readonly [column: string]: number };
  /** Contributions per encoded feature (e.g. `location=Whitefield`), zeros left out. */
  readonly features: { readonly [feature: string]: number };
}

/**
 * How one prediction decomposes into per-column contributions (exact path-dependent TreeSHAP for
 * the `gbdt` and `forest` learners, exact linear SHAP for `logistic`): for every output,
 * `expectedValue + Σ columns = output`.
 */
export interface Explanation {
  /** How the contributions were computed. */
  readonly method: LearnerExplanation['method'];
  /** The space of every number (see {@link ExplanationSpace}). */
  readonly space: ExplanationSpace;
  /** One entry per raw output: 1 (regression, binary), or one per class. */
  readonly outputs: readonly ExplanationOutput[];
}

/** Maps a learner's per-feature contributions back to the input columns (`sources[f]` is feature `f`'s column). */
export function explanationOf(
  e: LearnerExplanation,
  featureNames: readonly string[],
  sources: readonly string[],
  outputNames: readonly string[],
): Explanation {
  const F = featureNames.length;
  const outputs: ExplanationOutput[] = [];
  for (let k = 0; k < e.expectedValue.length; k++) {
    const columns: Record<string, number> = {};
    const features: Record<string, number> = {};
    for (const s of sources) columns[s] = 0;
    let output = e.expectedValue[k]!;
    for (let f = 0; f < F; f++) {
      const v = e.values[k * F + f]!;
      output += v;
      columns[sources[f]!]! += v;
      if (v !== 0) features[featureNames[f]!] = v;
    }
    outputs.push({ name: outputNames[k] ?? String(k), expectedValue: e.expectedValue[k]!, output, columns, features });
  }
  return { method: e.method, space: e.space, outputs };
}
