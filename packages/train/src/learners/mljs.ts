import { getLearnerDefinition, registerLearner } from '@modelship/core/learners';
import { forestMljsLearner } from './forest-mljs.js';
import { linearMljsLearner } from './linear-mljs.js';

/**
 * Adds the ml-* adapters (`forest-mljs`, `linear-mljs`) to core's learner catalog, once; a
 * trainer calls it when it is created. A serving process that loads an artifact of one of these
 * kinds calls it before `loadModel`.
 *
 * @example
 * ```ts
 * import { registerMljsLearners } from '@modelship/train';
 * registerMljsLearners();
 * ```
 */
export function registerMljsLearners(): void {
  for (const def of [forestMljsLearner, linearMljsLearner]) {
    let known = false;
    try {
      known = getLearnerDefinition(def.kind) === def;
    } catch {
      known = false;
    }
    if (!known) registerLearner(def);
  }
}
