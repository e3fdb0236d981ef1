/**
 * The zod schemas of the management API: path parameters, queries and bodies (validated on every
 * request) and the response documents (for the OpenAPI document and the tests).
 */
import { z } from 'zod';

const NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** A registry name (model, alias, dataset). */
export const nameSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(NAME, 'expected letters, digits, _ . - (not starting with .)');
/** A positive version number given as a path or query string. */
export const versionParamSchema = z.coerce.number().int().positive();
const idSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'expected letters, digits, _ . : -');
const reason = z.string().min(1).max(1_000);
const expectVersion = z.number().int().positive().nullable();
const expectRevision = z.number().int().positive().nullable();
const repeatable = z.union([z.string(), z.array(z.string())]);
const timeParam = z.union([
  z.coerce.number().int().nonnegative(),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

// ---- parameters -------------------------------------------------------------------------------

/** `{ name }`. */
export const modelParams = z.strictObject({ name: nameSchema });
/** `{ name, version }`. */
export const versionParams = z.strictObject({ name: nameSchema, version: versionParamSchema });
/** `{ name, alias }`. */
export const aliasParams = z.strictObject({ name: nameSchema, alias: nameSchema });
/** `{ name, version }` of a dataset (a number or a label such as `V2`). */
export const datasetVersionParams = z.strictObject({ name: nameSchema, version: z.string().min(1).max(64) });
/** `{ id }` of a job. */
export const jobParams = z.strictObject({ id: idSchema });
/** `{ name, id }` of an alert or a decision. */
export const modelItemParams = z.strictObject({ name: nameSchema, id: idSchema });

// ---- queries ----------------------------------------------------------------------------------
/**
 * A version search: `name`, `tag` (repeatable: `key` or `key=value`), `metric` (repeatable:
 * `accuracy>=0.9`, operators `>=`, `>`, `<=`, `<`), `createdAfter`, `createdBefore` (epoch ms or
 * ISO time), `dataset` (`name@version`).
 */
export const searchQuery = z.strictObject({
  name: nameSchema.optional(),
  tag: repeatable.optional(),
  metric: repeatable.optional(),
  createdAfter: timeParam.optional(),
  createdBefore: timeParam.optional(),
  dataset: z
    .string()
    .regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]*@\d+$/, 'expected name@version')
    .optional(),
});
/** `time`: epoch ms or an ISO 8601 time. */
export const aliasAtQuery = z.strictObject({ time: timeParam });
/** A page of the decision log: `limit` (1–500, default 50), `before` (the `next` cursor of the previous page). */
export const decisionsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: idSchema.optional(),
});
/** Jobs: `model`, `status`, `limit` (1–500, default 100). */
export const jobsQuery = z.strictObject({
  model: nameSchema.optional(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
/** The event stream: only events of `model` (and controller-wide ones); `lastEventId` as the header. */
export const eventsQuery = z.strictObject({ model: nameSchema.optional(), lastEventId: z.string().max(64).optional() });
/** The audit log: `from`, `to` (epoch ms or ISO time), `actor`, `limit` (1–1000, default 100), `after` (cursor). */
export const auditQuery = z.strictObject({
  from: timeParam.optional(),
  to: timeParam.optional(),
  actor: z.string().min(1).max(256).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  after: z.string().min(1).max(512).optional(),
});

/** Recent predictions: `model`, `limit` (1–1000, default 100). */
export const recentPredictionsQuery = z.strictObject({
  model: nameSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
});
/** `{ requestId }` of the prediction log. */
export const requestIdParams = z.strictObject({ requestId: z.string().min(1).max(1024) });
/** A model's predictions in `[from, to)`: `variant`, `limit` (1–1000, default 100), `cursor` (the `next` of a page). */
export const predictionRangeQuery = z.strictObject({
  variant: nameSchema.optional(),
  from: timeParam,
  to: timeParam,
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  cursor: z.string().min(1).max(1024).optional(),
});

// ---- bodies -----------------------------------------------------------------------------------

/** Points an alias at a version: compare-and-set with `expect` (the version it must point to now; `null`: unset). */
export const setAliasBody = z.strictObject({
  version: z.number().int().positive(),
  expect: expectVersion.optional(),
  reason: reason.optional(),
});
/** Moves an alias back to its previous target. */
export const aliasRollbackBody = z.strictObject({ expect: expectVersion.optional(), reason: reason.optional() });
/** Starts a rollout of `candidate` (compare-and-set on the rollout's revision with `expect`). */
export const startRolloutBody = z.strictObject({
  candidate: z.number().int().positive(),
  mode: z.enum(['ramp', 'split', 'shadow']).optional(),
  steps: z.array(z.number().gt(0).max(1)).min(1).optional(),
  weight: z.number().gt(0).lt(1).optional(),
  intervalMs: z.number().int().positive().optional(),
  expect: expectRevision.optional(),
  reason: reason.optional(),
});
/** Ramps a rollout to its next step (or to `step`). */
export const rampBody = z.strictObject({
  step: z.number().int().nonnegative().optional(),
  expect: expectRevision.optional(),
  reason: reason.optional(),
});
/** A deployment change with only compare-and-set and a reason (abort, promote). */
export const changeBody = z.strictObject({ expect: expectRevision.optional(), reason: reason.optional() });
/** Rolls production back to its previous version (`expect`: the version production must be now). */
export const productionRollbackBody = z.strictObject({ expect: expectVersion.optional(), reason: reason.optional() });
/** A reason (approve, reject, cancel). */
export const reasonBody = z.strictObject({ reason: reason.optional() });
/** A training spec (validated in depth by the job runner: the controller's `validateTrainingSpec`). */
export const trainingSpecBody = z
  .record(z.string(), z.unknown())
  .meta({ id: 'TrainingSpec', description: 'A training spec (see @modelship/controller trainingSpecSchema).' });
/** No body. */
export const noBody = z.strictObject({});

// ---- responses --------------------------------------------------------------------------------

const json = z.unknown();
/** A model version. */
export const modelVersionSchema = z
  .looseObject({
    name: z.string(),
    version: z.number().int(),
    sha256: z.string(),
    size: z.number(),
    metrics: z.record(z.string(), z.number()),
    params: z.record(z.string(), json),
    tags: z.record(z.string(), z.string()),
    createdBy: z.string(),
    createdAt: z.number(),
  })
  .meta({ id: 'ModelVersion' });
/** A model record. */
export const modelRecordSchema = z
  .looseObject({
    name: z.string(),
    tags: z.record(z.string(), z.string()),
    createdBy: z.string(),
    createdAt: z.number(),
  })
  .meta({ id: 'ModelRecord' });
/** A dataset version. */
export const datasetVersionSchema = z
  .looseObject({
    name: z.string(),
    version: z.number().int(),
    label: z.string(),
    fingerprint: z.string(),
    rowCount: z.number(),
  })
  .meta({ id: 'DatasetVersion' });
/** One entry of an alias's history. */
export const aliasEntrySchema = z
  .looseObject({
    seq: z.number().int(),
    action: z.enum(['set', 'delete', 'rollback']),
    from: z.number().int().nullable(),
    to: z.number().int().nullable(),
    at: z.number(),
    actor: z.string(),
  })
  .meta({ id: 'AliasHistoryEntry' });
/** A rollout record. */
export const rolloutSchema = z
  .looseObject({
    production: z.number().int(),
    candidate: z.number().int().optional(),
    mode: z.string(),
    weights: z.record(z.string(), z.number()),
    revision: z.number().int(),
    updatedAt: z.number(),
  })
  .meta({ id: 'RolloutRecord' });
/** A training job record. */
export const jobSchema = z
  .looseObject({
    id: z.string(),
    model: z.string(),
    trigger: z.string(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
    progress: z.number(),
    logs: z.array(z.string()),
    createdAt: z.number(),
    revision: z.number().int(),
  })
  .meta({ id: 'JobRecord' });
/** An alert. */
export const alertSchema = z
  .looseObject({
    id: z.string(),
    model: z.string(),
    kind: z.string(),
    severity: z.string(),
    message: z.string(),
    lastSeenAt: z.number(),
  })
  .meta({ id: 'AlertRecord' });
/** An approval. */
export const approvalSchema = z
  .looseObject({ id: z.string(), model: z.string(), kind: z.string(), candidate: z.number().int(), status: z.string() })
  .meta({ id: 'ApprovalRecord' });
/** One decision log entry. */
export const decisionSchema = z
  .looseObject({
    id: z.string(),
    model: z.string(),
    at: z.number(),
    action: z.string(),
    applied: z.string(),
    reasons: z.array(json),
  })
  .meta({ id: 'DecisionLogEntry' });
/** An audit record. */
export const auditRecordSchema = z
  .looseObject({
    id: z.string(),
    at: z.number(),
    actor: z.string().nullable(),
    role: z.string().nullable(),
    route: z.string(),
    method: z.string(),
    path: z.string(),
    status: z.number().int(),
    requestId: z.string(),
  })
  .meta({ id: 'AuditRecord' });
/** One logged prediction (a row of the prediction log). */
export const predictionRowSchema = z
  .looseObject({
    requestId: z.string(),
    time: z.number(),
    model: z.string(),
    variant: z.string(),
    modelVersion: z.number().int(),
    latencyMs: z.number(),
    prediction: json,
    input: json,
    shadow: z.boolean(),
  })
  .meta({ id: 'LoggedPrediction' });
/** A `text/event-stream` response (documented, not validated). */
export const eventStreamSchema = z.string().meta({ id: 'EventStream', description: 'text/event-stream' });

/** The response documents, by route. */
export const responses = {
  whoami: z.strictObject({ id: z.string(), role: z.enum(['viewer', 'operator', 'admin']) }),
  models: z.strictObject({ models: z.array(z.string()) }),
  model: z.strictObject({
    model: modelRecordSchema,
    aliases: z.record(z.string(), z.number()),
    rollout: rolloutSchema.nullable(),
  }),
  versions: z.strictObject({ versions: z.array(modelVersionSchema) }),
  version: modelVersionSchema,
  datasets: z.strictObject({ datasets: z.array(z.string()) }),
  datasetVersions: z.strictObject({ versions: z.array(datasetVersionSchema) }),
  datasetVersion: datasetVersionSchema,
  aliases: z.strictObject({ aliases: z.record(z.string(), z.number()) }),
  aliasEntry: aliasEntrySchema,
  aliasHistory: z.strictObject({ history: z.array(aliasEntrySchema) }),
  aliasAt: z.strictObject({ alias: z.string(), time: z.number(), version: z.number().int().nullable() }),
  rollout: rolloutSchema,
  deploymentHistory: z.strictObject({
    history: z.array(z.looseObject({ revision: z.number().int(), at: z.number() })),
  }),
  state: z.looseObject({ phase: z.string(), rollout: rolloutSchema }),
  job: jobSchema,
  jobs: z.strictObject({ jobs: z.array(jobSchema) }),
  retrain: z.strictObject({ jobId: z.string().nullable() }),
  drift: z.looseObject({}).meta({ id: 'DriftReport' }),
  alerts: z.strictObject({ alerts: z.array(alertSchema) }),
  alert: alertSchema,
  decisions: z.strictObject({ decisions: z.array(decisionSchema), next: z.string().optional() }),
  decision: decisionSchema,
  replay: z.strictObject({
    id: z.string(),
    logged: z.strictObject({ action: z.string() }),
    recomputed: z.strictObject({ action: z.string(), reasons: z.array(json) }),
    matches: z.boolean(),
  }),
  approvals: z.strictObject({ approvals: z.array(approvalSchema) }),
  approval: approvalSchema,
  audit: z.strictObject({ records: z.array(auditRecordSchema), next: z.string().optional() }),
  predictions: z.strictObject({ predictions: z.array(predictionRowSchema), next: z.string().optional() }),
  stream: eventStreamSchema,
} as const;
