/**
 * The learner catalog (which kinds of learner exist), not to be confused with the model registry.
 */
import { TrainingError, ValidationError } from '../errors.js';
import type { Learner, LearnerDefinition, LearnerParams, LearnerState, LearnerTask } from './learner.js';
import { linearLearner } from './linear.js';
import { logisticLearner } from './logistic.js';
import { gbdtLearner } from './gbdt.js';
import { forestLearner } from './forest.js';

/**
 * The learner catalog: every kind a trainer can create and a model can restore. Built in:
 * `linear`, `logistic`, `gbdt` and `forest`; `@modelship/train` adds the ml-* adapters
 * (`forest-mljs`, `linear-mljs`) when a trainer is created.
 */
const registry = new Map<string, LearnerDefinition>();
for (const def of [linearLearner, logisticLearner, gbdtLearner, forestLearner]) registry.set(def.kind, def);

/**
 * Registers (or replaces) a learner kind so that trainers, {@link createLearner} and
 * {@link restoreLearner} can use it.
 *
 * @example
 * ```ts
 * registerLearner({ kind: 'mean', tasks: ['regression'], create: () => new MeanLearner(), restore: (s) => MeanLearner.fromState(s) });
 * ```
 */
export function registerLearner(definition: LearnerDefinition): void {
  if (typeof definition?.kind !== 'string' || definition.kind.length === 0) {
    throw new ValidationError('INVALID_OPTIONS', 'registerLearner: kind must be a non-empty string', {
      operation: 'registerLearner',
      details: { field: 'kind' },
    });
  }
  if (!Array.isArray(definition.tasks) || definition.tasks.length === 0) {
    throw new ValidationError(
      'INVALID_OPTIONS',
      `registerLearner(${definition.kind}): tasks must list at least one task`,
      {
        operation: 'registerLearner',
        details: { field: 'tasks' },
      },
    );
  }
  registry.set(definition.kind, definition);
}

/** The registered learner kinds, sorted. */
export function learnerKinds(): string[] {
  return [...registry.keys()].sort();
}

/** The definition of a registered kind, or throws TrainingError `UNKNOWN_LEARNER` naming the known kinds. */
export function getLearnerDefinition(kind: string, operation = 'createLearner'): LearnerDefinition {
  const def = registry.get(kind);
  if (def === undefined) {
    throw new TrainingError(
      'UNKNOWN_LEARNER',
      `unknown learner kind '${String(kind)}'; known kinds: ${learnerKinds().join(', ')}`,
      {
        operation,
        details: { kind, known: learnerKinds() },
      },
    );
  }
  return def;
}

/**
 * Builds an unfitted learner of a registered kind. `task` defaults to the kind's first task;
 * a task the kind cannot learn throws ValidationError `INVALID_OPTIONS`.
 *
 * @example
 * ```ts
 * const ridge = createLearner('linear', { alpha: 1 });
 * ridge.fit(x, y);
 * ```
 */
export function createLearner(kind: string, params: LearnerParams = {}, task?: LearnerTask): Learner {
  const def = getLearnerDefinition(kind, 'createLearner');
  const t = task ?? def.tasks[0]!;
  if (!def.tasks.includes(t)) {
    throw new ValidationError(
      'INVALID_OPTIONS',
      `learner '${kind}' cannot do ${t}; it supports: ${def.tasks.join(', ')}`,
      {
        operation: 'createLearner',
        details: { field: 'task', kind, task: t, supported: [...def.tasks] },
      },
    );
  }
  return def.create(params, t);
}

/** Rebuilds a fitted learner from its {@link LearnerState} (as stored in a model artifact). */
export function restoreLearner(state: LearnerState): Learner {
  if (typeof state !== 'object' || state === null || typeof state.kind !== 'string') {
    throw new ValidationError('INVALID_INPUT', 'restoreLearner: state must be an object with a string kind', {
      operation: 'restoreLearner',
      details: { field: 'kind' },
    });
  }
  return getLearnerDefinition(state.kind, 'restoreLearner').restore(state);
}
