/** Options of the controller, validated with zod (a bad option names its field). */
import { z } from 'zod';
import type { AggregatesQuery } from '@modelship/core/outcomes';
import type { Evaluator, ExperimentAggregates, Logger, ModelRegistry, RollbackPolicyOptions } from '@modelship/core';
import type { DriftReport } from '@modelship/drift';
import { ControllerError } from './errors.js';
import { DEFAULT_DRIFT_RULES, type DriftRules } from './triggers.js';
import { validateTrainingSpec } from './jobs/spec.js';
import { createSchedule } from './jobs/schedule.js';
import type { Clock, JobRunner, Notifier, TrainingSpec } from './types.js';
import type { ControllerLease } from './lease.js';

/** Where the controller reads the merged outcome aggregates (an `OutcomeStore` fits). */
export interface OutcomeSource {
  /** The experiment aggregates of a model (production and candidate versions of the current rollout). */
  aggregates(model: string, query?: AggregatesQuery): ExperimentAggregates | Promise<ExperimentAggregates>;
}

/** When a human must approve, and what a timeout does. */
export interface ApprovalRule {
  /** Ask before a rollout starts; default false. */
  beforeStart?: boolean;
  /** Ask before a promotion; default false. */
  beforePromotion?: boolean;
  /** How long an approval waits (ms); default 24 hours. */
  timeoutMs?: number;
  /** What a timeout does: `'hold'` (wait for a human, the default) or `'rollback'`. */
  onTimeout?: 'hold' | 'rollback';
}

/** How the controller runs one model. */
export interface ModelConfig {
  /** Ramp steps (candidate shares); default `[0.05, 0.1, 0.2, 0.5]`. */
  rampSteps?: number[];
  /** Minimum time per ramp step (ms), the policy's cool-down between changes; default 10 minutes. */
  stepMs?: number;
  /** Shadow the candidate for this long before the canary (ms); default 0 (no shadow). */
  shadowMs?: number;
  /** The offline gate: the candidate's metric must not be worse than production's by more than `tolerance`; default none. */
  gate?: { metric: string; tolerance?: number };
  /** Rollback-policy options for this model (minSamples, thresholds…); `rampSteps` and `cooldownMs` come from above. */
  policy?: RollbackPolicyOptions;
  /** Approvals; default none. */
  approval?: ApprovalRule;
  /** Flagger-style gate webhooks: POSTed JSON; a 2xx answer lets the rollout start / the promotion happen. */
  webhooks?: { confirmRollout?: string; confirmPromotion?: string };
  /** The training spec retraining runs (needs `jobs`). */
  training?: TrainingSpec;
  /** A cron expression for scheduled retraining (needs `training`); default none. */
  schedule?: string;
  /** The time zone of `schedule` (IANA, e.g. `Europe/Berlin`); default the process's. */
  timezone?: string;
  /** Train at the first tick when the controller has never retrained the model (with or without a schedule); default false. */
  trainOnStart?: boolean;
  /** Retraining triggers. */
  triggers?: {
    /** Retrain on drift (rules of the controller's `driftRules`); default true when a drift source is given. */
    drift?: boolean;
    /** Retrain when the online accuracy falls (or the MAE rises) more than `maxDrop` (relative) from the offline figure; default `{ maxDrop: 0.05, minFeedback: 200 }`. */
    degradation?: false | { maxDrop?: number; minFeedback?: number };
    /** Minimum time between two retrainings of the model (ms); default 6 hours. */
    cooldownMs?: number;
  };
}

/** A model config with every default filled in. */
export interface ResolvedModelConfig {
  name: string;
  rampSteps: number[];
  stepMs: number;
  shadowMs: number;
  gate: { metric: string; tolerance: number } | undefined;
  policy: RollbackPolicyOptions;
  approval: Required<ApprovalRule>;
  webhooks: { confirmRollout?: string; confirmPromotion?: string };
  training: TrainingSpec | undefined;
  schedule: string | undefined;
  timezone: string | undefined;
  trainOnStart: boolean;
  triggers: { drift: boolean; degradation: false | { maxDrop: number; minFeedback: number }; cooldownMs: number };
}

/** Options of `createController`. */
export interface ControllerOptions {
  /** The registry (its store also holds the controller's records: lease, decisions, approvals, alerts, jobs). */
  registry: ModelRegistry;
  /** The models to manage, by name. */
  models: Record<string, ModelConfig>;
  /** Where merged outcome aggregates are read (an `OutcomeStore`); without it no online decision is taken. */
  outcomes?: OutcomeSource;
  /** The evaluator; default `createEvaluator()` (the default composite from the feedback present). */
  evaluator?: Evaluator;
  /** The drift report of a served version (e.g. a drift sink's `report('production')`); default none. */
  drift?: (model: string, version: number) => DriftReport | undefined | Promise<DriftReport | undefined>;
  /** Drift retraining rules; default the seeds' (PSI 0.25, prediction 0.15, cardinality 1.3, two high-severity alerts). */
  driftRules?: Partial<DriftRules>;
  /** The job runner retraining uses; default none (no retraining). */
  jobs?: JobRunner;
  /** Notifiers (webhooks, Slack); default none. */
  notifiers?: Notifier[];
  /** The clock (epoch ms); default `Date.now`. */
  clock?: Clock;
  /** A pino-compatible logger; default silent. */
  logger?: Logger;
  /** This controller's id (lease holder); default random per process. */
  id?: string;
  /** Loop interval (ms); default 60 s. */
  intervalMs?: number;
  /** Lease duration (ms); default 30 s. A replica takes over after the lease stayed unchanged this long. */
  leaseMs?: number;
  /**
   * The lease that elects one leader; default the registry lease (in the registry's store, for
   * `leaseMs`). Its `id` is the controller's id (`id`, when also given, must equal it).
   */
  lease?: ControllerLease;
  /** `fetch` for gate webhooks; default the global one. */
  fetch?: typeof fetch;
  /**
   * Fault-injection points for tests (crash safety): `step(point, model)` is called at each named
   * point of a tick — `tick`, `leased`, `read`, `logged` (a decision entry written, its change not
   * yet), `written` (a deployment write landed, its event not yet sent). Default none.
   */
  hooks?: { step?(point: 'tick' | 'leased' | 'read' | 'logged' | 'written', model: string): void | Promise<void> };
}

/** Parsed options. */
export interface ParsedControllerOptions extends Omit<ControllerOptions, 'models' | 'driftRules' | 'notifiers'> {
  models: Map<string, ResolvedModelConfig>;
  driftRules: DriftRules;
  notifiers: Notifier[];
  intervalMs: number;
  leaseMs: number;
}

const fn = z.custom<(...a: never[]) => unknown>((v) => typeof v === 'function', 'expected a function');
const obj = (what: string) => z.custom<object>((v) => typeof v === 'object' && v !== null, `expected ${what}`);
const ms = z.number().int().positive();
const modelZ = z.strictObject({
  rampSteps: z
    .array(z.number().gt(0).max(1))
    .min(1)
    .refine((s) => s.every((x, i) => i === 0 || x > s[i - 1]!), 'steps must increase')
    .optional(),
  stepMs: ms.optional(),
  shadowMs: z.number().int().nonnegative().optional(),
  gate: z.strictObject({ metric: z.string().min(1), tolerance: z.number().nonnegative().optional() }).optional(),
  policy: z.record(z.string(), z.unknown()).optional(),
  approval: z
    .strictObject({
      beforeStart: z.boolean().optional(),
      beforePromotion: z.boolean().optional(),
      timeoutMs: ms.optional(),
      onTimeout: z.enum(['hold', 'rollback']).optional(),
    })
    .optional(),
  webhooks: z.strictObject({ confirmRollout: z.url().optional(), confirmPromotion: z.url().optional() }).optional(),
  training: obj('a training spec').optional(),
  schedule: z.string().min(1).optional(),
  timezone: z.string().min(1).optional(),
  trainOnStart: z.boolean().optional(),
  triggers: z
    .strictObject({
      drift: z.boolean().optional(),
      degradation: z
        .union([
          z.literal(false),
          z.strictObject({
            maxDrop: z.number().gt(0).lt(1).optional(),
            minFeedback: z.number().int().positive().optional(),
          }),
        ])
        .optional(),
      cooldownMs: z.number().int().nonnegative().optional(),
    })
    .optional(),
});
const optionsZ = z.strictObject({
  registry: obj('a ModelRegistry'),
  models: z.record(z.string().regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/, 'expected a registry model name'), modelZ),
  outcomes: obj('an outcome source with aggregates()').optional(),
  evaluator: obj('an Evaluator').optional(),
  drift: fn.optional(),
  driftRules: z
    .strictObject({
      psi: z.union([z.number().positive(), z.literal(false)]).optional(),
      prediction: z.union([z.number().positive(), z.literal(false)]).optional(),
      cardinalityRatio: z.union([z.number().gt(1), z.literal(false)]).optional(),
      highSeverity: z.union([z.number().int().positive(), z.literal(false)]).optional(),
      datasetDrift: z.boolean().optional(),
    })
    .optional(),
  jobs: obj('a JobRunner').optional(),
  notifiers: z.array(obj('a Notifier')).optional(),
  clock: fn.optional(),
  logger: obj('a Logger').optional(),
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/)
    .optional(),
  intervalMs: ms.optional(),
  leaseMs: ms.optional(),
  lease: z
    .custom<object>(
      (v) =>
        typeof v === 'object' &&
        v !== null &&
        ['tryAcquire', 'heldEpoch', 'drop', 'release'].every(
          (k) => typeof (v as Record<string, unknown>)[k] === 'function',
        ) &&
        typeof (v as { id?: unknown }).id === 'string' &&
        typeof (v as { checkMs?: unknown }).checkMs === 'number',
      'expected a lease (id, checkMs, tryAcquire, heldEpoch, drop, release)',
    )
    .optional(),
  fetch: fn.optional(),
  hooks: z.strictObject({ step: fn.optional() }).optional(),
});

/** Validates the options; throws `ControllerError('INVALID_OPTIONS')` naming the field. */
export function parseControllerOptions(options: ControllerOptions): ParsedControllerOptions {
  const r = optionsZ.safeParse(options);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.join('.');
    throw new ControllerError('INVALID_OPTIONS', `createController: ${field || 'options'}: ${issue.message}`, {
      operation: 'createController',
      details: { field },
    });
  }
  if (options.lease && options.id !== undefined && options.lease.id !== options.id) {
    throw new ControllerError(
      'INVALID_OPTIONS',
      `createController: lease: its id "${options.lease.id}" differs from id "${options.id}"`,
      { operation: 'createController', details: { field: 'lease' } },
    );
  }
  const models = new Map<string, ResolvedModelConfig>();
  for (const [name, m] of Object.entries(options.models)) {
    const stepMs = m.stepMs ?? 10 * 60_000;
    if (m.schedule !== undefined && !m.training) {
      throw new ControllerError(
        'INVALID_OPTIONS',
        `createController: models.${name}.schedule: a schedule needs a training spec`,
        {
          operation: 'createController',
          details: { field: `models.${name}.schedule` },
        },
      );
    }
    const deg = m.triggers?.degradation;
    const field = (f: string) => `models.${name}.${f}`;
    const rethrow = (f: string, err: unknown): never => {
      throw new ControllerError('INVALID_OPTIONS', `createController: ${field(f)}: ${(err as Error).message}`, {
        operation: 'createController',
        details: { field: field(f) },
        cause: err,
      });
    };
    let training: TrainingSpec | undefined;
    if (m.training) {
      try {
        training = validateTrainingSpec(m.training, 'createController');
      } catch (err) {
        rethrow('training', err);
      }
      if (training!.model !== name)
        rethrow('training', new Error(`spec.model is "${training!.model}", expected "${name}"`));
    }
    if (m.schedule !== undefined) {
      try {
        createSchedule(m.schedule, async () => {}, m.timezone ? { timezone: m.timezone } : {}).stop();
      } catch (err) {
        rethrow('schedule', err);
      }
    }
    models.set(name, {
      name,
      rampSteps: m.rampSteps ?? [0.05, 0.1, 0.2, 0.5],
      stepMs,
      shadowMs: m.shadowMs ?? 0,
      gate: m.gate ? { metric: m.gate.metric, tolerance: m.gate.tolerance ?? 0.01 } : undefined,
      policy: { ...(m.policy ?? {}), cooldownMs: stepMs },
      approval: {
        beforeStart: m.approval?.beforeStart ?? false,
        beforePromotion: m.approval?.beforePromotion ?? false,
        timeoutMs: m.approval?.timeoutMs ?? 86_400_000,
        onTimeout: m.approval?.onTimeout ?? 'hold',
      },
      webhooks: { ...(m.webhooks ?? {}) },
      training,
      schedule: m.schedule,
      timezone: m.timezone,
      trainOnStart: m.trainOnStart ?? false,
      triggers: {
        drift: m.triggers?.drift ?? options.drift !== undefined,
        degradation: deg === false ? false : { maxDrop: deg?.maxDrop ?? 0.05, minFeedback: deg?.minFeedback ?? 200 },
        cooldownMs: m.triggers?.cooldownMs ?? 6 * 3_600_000,
      },
    });
  }
  return {
    ...options,
    models,
    driftRules: { ...DEFAULT_DRIFT_RULES, ...(options.driftRules ?? {}) } as DriftRules,
    notifiers: options.notifiers ?? [],
    intervalMs: options.intervalMs ?? 60_000,
    leaseMs: options.leaseMs ?? 30_000,
  };
}
