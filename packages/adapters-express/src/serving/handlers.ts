/**
 * The framework-free serving handlers: predict, batch, feedback, health, readiness, model facts,
 * metrics, Open Inference Protocol V2 and MLflow scoring — each a {@link RouteDefinition}.
 */
import { isModelshipError, validateRow } from '@modelship/core';
import type { ModelRouter, PredictionResult } from '@modelship/router';
import { VARIANT_HEADER } from '@modelship/router';
import type { Registry as PromRegistry } from 'prom-client';
import { z } from 'zod';
import { type HttpError, httpError } from '../http/http-error.js';
import type { RouteDefinition, RouteRequest, RouteResponse } from '../http/route.js';
import { parseRequestPart } from '../http/validate.js';
import { problemResponses } from '../openapi/schemas.js';
import { rowsOfCsv, rowsOfMlflowJson } from './mlflow.js';
import { applyRules, type BusinessRule } from './rules.js';
import {
  aggregatesSchema,
  batchResponseSchema,
  feedbackRequestSchema,
  feedbackResponseSchema,
  healthSchema,
  mlflowRequestSchema,
  mlflowResponseSchema,
  modelInfoSchema,
  nameParams,
  nameVersionParams,
  predictEnvelopeSchema,
  predictRequestSchema,
  predictResponseSchema,
  readySchema,
  v2InferRequestSchema,
  v2InferResponseSchema,
  v2LiveSchema,
  v2ModelReadySchema,
  v2ModelSchema,
  v2ReadySchema,
  v2ServerSchema,
} from './schemas.js';
import type { ServedModel, VersionFacts } from './served-models.js';
import { decodeInferRequest, encodeInferResponse, type OutputTensor, rowsOfTensors } from './v2-tensors.js';

/** The note answered in place of an explanation when the served model gives none (a custom model without `explain`). */
export const EXPLANATION_NOTE =
  'this model gives no explanations (gbdt, forest and logistic models do); the prediction is returned without one';

/** Response headers of a prediction. */
export const MODEL_VERSION_HEADER = 'x-model-version';
/** The rollout revision the request was answered under. */
export const ROLLOUT_REVISION_HEADER = 'x-rollout-revision';
/** The variant that answered. */
export const MODEL_VARIANT_HEADER = 'x-model-variant';

/** What the handlers share. */
export interface ServingContext {
  /** Served models by name. */
  readonly models: ReadonlyMap<string, ServedModel>;
  /** The model `/predict` and `/invocations` use when none is named. */
  readonly defaultModel: string;
  /** Business rules per model. */
  readonly rules: Readonly<Record<string, readonly BusinessRule[]>>;
  /** The prom-client registry `/metrics` renders. */
  readonly metrics: PromRegistry | undefined;
  /** The unit-key header. */
  readonly unitHeader: string;
  /** Rows at most per request. */
  readonly maxBatchRows: number;
  /** Body limit of single-row routes. */
  readonly bodyLimit: number | string;
  /** Body limit of batch routes (`/predict/batch`, V2 infer, `/invocations`). */
  readonly batchBodyLimit: number | string;
  /** True while shutting down. */
  draining(): boolean;
  /** The version string of `/version` and `/v2`. */
  readonly version: string;
}

const PRED_HEADERS = z.object({
  [MODEL_VERSION_HEADER]: z
    .string()
    .meta({ description: 'The model version that answered (comma-separated for a batch).' }),
  [ROLLOUT_REVISION_HEADER]: z
    .string()
    .meta({ description: 'The rollout revision in force when the request was answered.' }),
});

function header(req: RouteRequest, name: string): string | undefined {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}

function modelOf(ctx: ServingContext, name: string | undefined): ServedModel {
  const n = name ?? ctx.defaultModel;
  const m = ctx.models.get(n);
  if (!m) throw httpError(404, `model "${n.slice(0, 200)}" is not served here`, { code: 'NOT_FOUND', field: 'model' });
  return m;
}

function notReady(m: ServedModel): HttpError {
  return httpError(
    503,
    `model "${m.name}" is not ready (loading or verifying)`,
    { code: 'NOT_READY' },
    { 'retry-after': '1' },
  );
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Re-throws a row's validation error with its field path under `prefix` (e.g. `rows[3]`). */
function rowError(err: unknown, prefix: string): never {
  if (isModelshipError(err, 'ValidationError')) {
    const details = (err as { details?: { field?: unknown; issues?: { field: string; message: string }[] } }).details;
    const f = typeof details?.field === 'string' ? details.field : undefined;
    const first = details?.issues?.[0];
    const message = (err as Error).message;
    const expected = first?.message ?? /expected [^;,\n]*/.exec(message)?.[0] ?? undefined;
    const field = f === undefined ? prefix : prefix === '' ? f : `${prefix}.${f}`;
    throw httpError(400, prefix === '' ? message : `${prefix}: ${message}`, {
      code: 'INVALID_INPUT',
      ...(field !== '' ? { field } : {}),
      ...(expected !== undefined ? { expected: expected.replace(/^required, /, '') } : {}),
    });
  }
  throw err;
}

function predictionJson(r: PredictionResult, explain: boolean): Record<string, unknown> {
  const p = r.prediction as { value?: unknown; probabilities?: unknown } | number | string;
  const out: Record<string, unknown> = {
    prediction: typeof p === 'object' && p !== null ? p.value : p,
    variant: r.variant,
    version: r.modelVersion,
    requestId: r.requestId,
    latencyMs: r.latencyMs,
  };
  if (typeof p === 'object' && p !== null && p.probabilities !== undefined) out.probabilities = p.probabilities;
  if (r.fallback) out.fallback = r.fallback;
  if (explain) out.explanation = r.explanation ?? { available: false, note: EXPLANATION_NOTE };
  return out;
}

interface Asked {
  readonly rows: readonly unknown[] | undefined;
  readonly row: unknown;
  readonly unit: string | undefined;
  readonly units: readonly (string | null)[] | undefined;
  readonly override: string | undefined;
  readonly explain: boolean;
  readonly model: string | undefined;
}

function readPredictBody(ctx: ServingContext, req: RouteRequest): Asked {
  const body = req.body;
  if (!isPlainObject(body))
    throw httpError(400, 'body: expected a JSON object (a row, or { row } / { rows })', {
      code: 'INVALID_INPUT',
      field: '',
      expected: 'an object',
    });
  const unitH = header(req, ctx.unitHeader);
  const overrideH = header(req, VARIANT_HEADER);
  const explainQ = req.query.explain === 'true' || req.query.explain === '1';
  if (!Object.hasOwn(body, 'row') && !Object.hasOwn(body, 'rows'))
    return {
      rows: undefined,
      row: body,
      unit: unitH,
      units: undefined,
      override: overrideH,
      explain: explainQ,
      model: header(req, 'x-model-name'),
    };
  const e = parseRequestPart(predictEnvelopeSchema, body, 'body');
  if ((e.row === undefined) === (e.rows === undefined))
    throw httpError(400, 'body: give either row or rows', {
      code: 'INVALID_INPUT',
      field: 'rows',
      expected: 'exactly one of row, rows',
    });
  if (e.units !== undefined && (e.rows === undefined || e.units.length !== e.rows.length))
    throw httpError(400, 'units: expected one unit key per row', {
      code: 'INVALID_INPUT',
      field: 'units',
      expected: `${e.rows?.length ?? 0} entries`,
    });
  return {
    rows: e.rows,
    row: e.row,
    unit: e.unit ?? unitH,
    units: e.units,
    override: e.variant ?? overrideH,
    explain: e.explain === true || explainQ,
    model: e.model ?? header(req, 'x-model-name'),
  };
}

function predictOne(ctx: ServingContext, m: ServedModel, a: Asked): RouteResponse {
  const router = m.router;
  const rules = ctx.rules[m.name];
  if (rules !== undefined && rules.length > 0) {
    const facts = m.current;
    if (!facts) throw notReady(m);
    let typed: Record<string, number | string | null>;
    try {
      typed = validateRow(facts.schema, a.row);
    } catch (err) {
      rowError(err, '');
    }
    applyRules(rules, typed, '');
  }
  const rollout = router.rollout; // read in the same synchronous turn as predict: the same snapshot
  if (rollout === undefined) throw notReady(m);
  let r: PredictionResult;
  try {
    r = router.predict(a.row, {
      ...(a.unit === undefined ? {} : { unit: a.unit }),
      ...(a.override === undefined ? {} : { override: a.override }),
      ...(a.explain ? { explain: true } : {}),
    });
  } catch (err) {
    rowError(err, '');
  }
  const json = predictionJson(r, a.explain);
  json.model = m.name;
  json.revision = rollout.revision;
  return {
    status: 200,
    headers: {
      [MODEL_VERSION_HEADER]: String(r.modelVersion),
      [ROLLOUT_REVISION_HEADER]: String(rollout.revision),
      [MODEL_VARIANT_HEADER]: r.variant,
    },
    json,
  };
}

function predictMany(
  ctx: ServingContext,
  m: ServedModel,
  rows: readonly unknown[],
  units: readonly (string | null | undefined)[] | undefined,
  unit: string | undefined,
  override: string | undefined,
  explain = false,
): { results: PredictionResult[]; revision: number } {
  if (rows.length > ctx.maxBatchRows)
    throw httpError(413, `at most ${ctx.maxBatchRows} rows per request, got ${rows.length}`, {
      field: 'rows',
      expected: `<= ${ctx.maxBatchRows} rows`,
    });
  const facts = m.current;
  const router = m.router;
  if (!facts || router.rollout === undefined) throw notReady(m);
  const rules = ctx.rules[m.name] ?? [];
  // validate every row first, so that a bad row leaves no prediction logged for the others
  for (let i = 0; i < rows.length; i++) {
    let typed: Record<string, number | string | null>;
    try {
      typed = validateRow(facts.schema, rows[i]);
    } catch (err) {
      rowError(err, `rows[${i}]`);
    }
    if (rules.length > 0) applyRules(rules, typed, `rows[${i}]`);
  }
  const revision = router.rollout.revision;
  const opts: { units?: (string | undefined)[]; unit?: string; override?: string; explain?: boolean } = {};
  if (explain) opts.explain = true;
  if (units) opts.units = units.map((u) => u ?? undefined);
  else if (unit !== undefined) opts.unit = unit;
  if (override !== undefined) opts.override = override;
  try {
    return { results: router.predictBatch(rows, opts), revision };
  } catch (err) {
    rowError(err, 'rows');
  }
}

function batchResponse(m: ServedModel, results: PredictionResult[], revision: number, explain: boolean): RouteResponse {
  const versions = [...new Set(results.map((r) => r.modelVersion))].join(',');
  return {
    status: 200,
    headers: { [MODEL_VERSION_HEADER]: versions, [ROLLOUT_REVISION_HEADER]: String(revision) },
    json: { model: m.name, revision, predictions: results.map((r) => predictionJson(r, explain)) },
  };
}

function readiness(ctx: ServingContext): { ready: boolean; models: Record<string, Record<string, unknown>> } {
  const models: Record<string, Record<string, unknown>> = {};
  let ready = !ctx.draining();
  for (const [name, m] of ctx.models) {
    const r = m.router.rollout;
    const ok = m.ready;
    ready &&= ok;
    models[name] = {
      ready: ok,
      ...(r
        ? {
            revision: r.revision,
            production: r.production,
            ...(r.candidate !== undefined ? { candidate: r.candidate } : {}),
          }
        : {}),
    };
  }
  return { ready, models };
}

function readyOrThrow(ctx: ServingContext): void {
  const r = readiness(ctx);
  if (!r.ready)
    throw httpError(
      503,
      ctx.draining() ? 'shutting down' : 'not every served model is loaded and verified yet',
      { code: 'NOT_READY', models: r.models },
      { 'retry-after': '1' },
    );
}

const json200 = (schema: z.ZodType, description: string, headers?: typeof PRED_HEADERS) => ({
  '200': { description, ...(headers ? { headers } : {}), content: { 'application/json': { schema } } },
});

/** The core serving routes (`/predict`, `/predict/batch`, `/feedback`, health, models, metrics). */
export function servingRoutes(ctx: ServingContext): RouteDefinition[] {
  const predictBody = { kind: 'json' as const, limit: ctx.bodyLimit };
  return [
    {
      method: 'post',
      path: '/predict',
      body: predictBody,
      query: z.object({ explain: z.enum(['true', 'false', '1', '0']).optional() }),
      openapi: {
        operationId: 'predict',
        summary: 'Predicts one row (or a few with { rows })',
        tags: ['serving'],
        requestParams: {
          header: z.object({
            'x-unit-key': z.string().optional().meta({ description: 'The unit key for sticky assignment.' }),
            'x-modelship-variant': z.string().optional().meta({ description: 'Forces a variant.' }),
            'x-model-name': z.string().optional().meta({ description: 'The model (default: the default model).' }),
          }),
        },
        requestBody: { required: true, content: { 'application/json': { schema: predictRequestSchema } } },
        responses: {
          '200': {
            description: 'The prediction (a batch answer when the body had rows).',
            headers: PRED_HEADERS,
            content: { 'application/json': { schema: z.union([predictResponseSchema, batchResponseSchema]) } },
          },
          ...problemResponses(400, 404, 413, 415, 422, 429, 503),
        },
      },
      handler(req) {
        const a = readPredictBody(ctx, req);
        const m = modelOf(ctx, a.model);
        if (a.rows === undefined) return predictOne(ctx, m, a);
        const { results, revision } = predictMany(ctx, m, a.rows, a.units, a.unit, a.override, a.explain);
        return batchResponse(m, results, revision, a.explain);
      },
    },
    {
      method: 'post',
      path: '/predict/batch',
      body: { kind: 'json', limit: ctx.batchBodyLimit },
      query: z.object({ explain: z.enum(['true', 'false', '1', '0']).optional() }),
      openapi: {
        operationId: 'predictBatch',
        summary: 'Predicts many rows ({ rows }), with its own body limit',
        tags: ['serving'],
        requestBody: { required: true, content: { 'application/json': { schema: predictEnvelopeSchema } } },
        responses: {
          ...json200(batchResponseSchema, 'One prediction per row.', PRED_HEADERS),
          ...problemResponses(400, 404, 413, 415, 422, 429, 503),
        },
      },
      handler(req) {
        const body = req.body;
        if (!isPlainObject(body) || !Array.isArray(body.rows))
          throw httpError(400, 'body: expected { rows: [...] }', {
            code: 'INVALID_INPUT',
            field: 'rows',
            expected: 'an array of rows',
          });
        const a = readPredictBody(ctx, req);
        const m = modelOf(ctx, a.model);
        const { results, revision } = predictMany(ctx, m, a.rows ?? [], a.units, a.unit, a.override, a.explain);
        return batchResponse(m, results, revision, a.explain);
      },
    },
    {
      method: 'post',
      path: '/feedback',
      body: { kind: 'json', limit: ctx.bodyLimit, schema: feedbackRequestSchema },
      openapi: {
        operationId: 'feedback',
        summary: 'Records feedback on a prediction (by its requestId)',
        tags: ['serving'],
        responses: {
          ...json200(feedbackResponseSchema, 'Recorded.'),
          ...problemResponses(400, 404, 409, 410, 413, 415, 429, 503),
        },
      },
      async handler(req) {
        const { requestId, model, ...feedback } = req.body as z.infer<typeof feedbackRequestSchema>;
        const m = modelOf(ctx, model);
        const fb: Record<string, unknown> = {};
        for (const k of ['rating', 'correct', 'actual'] as const) if (feedback[k] !== undefined) fb[k] = feedback[k];
        const claims = await m.router.feedback(requestId, fb as Parameters<ModelRouter['feedback']>[1]);
        return {
          status: 200,
          json: { recorded: true, model: m.name, variant: claims.variant, version: claims.modelVersion },
        };
      },
    },
    {
      method: 'get',
      path: '/health',
      openapi: {
        operationId: 'health',
        summary: 'Liveness',
        tags: ['health'],
        responses: json200(healthSchema, 'Alive.'),
      },
      handler: () => ({ status: 200, json: { status: 'ok' } }),
    },
    {
      method: 'get',
      path: '/ready',
      openapi: {
        operationId: 'ready',
        summary: 'Readiness: every served model loaded and verified',
        tags: ['health'],
        responses: { ...json200(readySchema, 'Ready.'), ...problemResponses(503) },
      },
      handler() {
        readyOrThrow(ctx);
        return { status: 200, json: { status: 'ready', models: readiness(ctx).models } };
      },
    },
    {
      method: 'get',
      path: '/models/{name}',
      params: nameParams,
      openapi: {
        operationId: 'getModel',
        summary: 'A served model: version, schema, metrics, lineage, rollout',
        tags: ['serving'],
        responses: { ...json200(modelInfoSchema, 'The model.'), ...problemResponses(400, 404, 503) },
      },
      async handler(req) {
        const m = modelOf(ctx, req.params.name);
        const rollout = m.router.rollout;
        if (!rollout) throw notReady(m);
        const facts = await m.factsOf(rollout.production);
        const metrics: Record<string, number | null> = {};
        for (const [k, v] of Object.entries(facts.metrics)) metrics[k] = Number.isFinite(v) ? v : null;
        return {
          status: 200,
          json: {
            name: m.name,
            version: rollout.production,
            task: facts.task,
            target: facts.target,
            ...(facts.classes ? { classes: facts.classes } : {}),
            schema: facts.schema,
            inputColumns: facts.inputColumns,
            metrics,
            lineage: facts.lineage,
            rollout: {
              production: rollout.production,
              ...(rollout.candidate !== undefined ? { candidate: rollout.candidate } : {}),
              weights: rollout.weights,
              mode: rollout.mode,
              revision: rollout.revision,
              ...((rollout as { updatedAt?: number }).updatedAt !== undefined
                ? { updatedAt: (rollout as { updatedAt?: number }).updatedAt }
                : {}),
            },
          },
        };
      },
    },
    {
      method: 'get',
      path: '/metrics',
      openapi: {
        operationId: 'metrics',
        summary: 'Prometheus metrics (text exposition format)',
        tags: ['metrics'],
        responses: {
          '200': { description: 'The metrics.', content: { 'text/plain': { schema: z.string() } } },
          ...problemResponses(404),
        },
      },
      async handler() {
        if (!ctx.metrics) throw httpError(404, 'no prom-client registry was given (option metrics)');
        return { status: 200, text: await ctx.metrics.metrics(), contentType: ctx.metrics.contentType };
      },
    },
    {
      method: 'get',
      path: '/metrics.json',
      openapi: {
        operationId: 'aggregates',
        summary: 'Per-variant outcome aggregates (router.aggregates())',
        tags: ['metrics'],
        responses: {
          ...json200(aggregatesSchema, 'Aggregates by model (null: no outcome store).'),
          ...problemResponses(503),
        },
      },
      async handler() {
        const models: Record<string, unknown> = {};
        for (const [name, m] of ctx.models) {
          try {
            models[name] = JSON.parse(JSON.stringify(await m.router.aggregates()));
          } catch (err) {
            if (isModelshipError(err, 'RouterError', 'INVALID_OPTIONS')) models[name] = null;
            else throw err;
          }
        }
        return { status: 200, json: { models } };
      },
    },
  ];
}

function v2Outputs(facts: VersionFacts, results: PredictionResult[]): Map<string, OutputTensor> {
  const n = results.length;
  const out = new Map<string, OutputTensor>();
  const values = results.map((r) => {
    const p = r.prediction as { value?: unknown } | number | string;
    return (typeof p === 'object' && p !== null ? p.value : p) as number | string;
  });
  out.set('prediction', {
    name: 'prediction',
    datatype: facts.task === 'classification' ? 'BYTES' : 'FP64',
    shape: [n],
    data: values,
  });
  const classes = facts.classes;
  const probs = results.map((r) => (r.prediction as { probabilities?: Record<string, number> }).probabilities);
  if (classes && probs.every((p) => p !== undefined)) {
    const data: number[] = [];
    for (const p of probs) for (const c of classes) data.push(p![c] ?? 0);
    out.set('probabilities', { name: 'probabilities', datatype: 'FP64', shape: [n, classes.length], data });
  }
  out.set('request_id', { name: 'request_id', datatype: 'BYTES', shape: [n], data: results.map((r) => r.requestId) });
  return out;
}

function v2Meta(m: ServedModel, facts: VersionFacts): Record<string, unknown> {
  const r = m.router.rollout;
  const versions = r ? (r.candidate !== undefined ? [r.production, r.candidate] : [r.production]) : [];
  return {
    name: m.name,
    versions: versions.map(String),
    platform: 'modelship',
    inputs: facts.inputColumns.map((c) => ({
      name: c,
      datatype: facts.schema.columns[c]!.type === 'numeric' ? 'FP64' : 'BYTES',
      shape: [-1],
    })),
    outputs: [
      { name: 'prediction', datatype: facts.task === 'classification' ? 'BYTES' : 'FP64', shape: [-1] },
      ...(facts.classes ? [{ name: 'probabilities', datatype: 'FP64', shape: [-1, facts.classes.length] }] : []),
      { name: 'request_id', datatype: 'BYTES', shape: [-1] },
    ],
  };
}

function v2Variant(m: ServedModel, version: string | undefined): string | undefined {
  if (version === undefined) return undefined;
  const r = m.router.rollout;
  if (!r) throw notReady(m);
  const v = Number(version);
  if (v === r.production) return 'production';
  if (v === r.candidate) return 'candidate';
  throw httpError(404, `model "${m.name}" does not serve version ${version}`, {
    code: 'NOT_FOUND',
    error: `version ${version} not served`,
  });
}

/** The Open Inference Protocol V2 routes (KServe / Triton, JSON and binary tensors). */
export function v2Routes(ctx: ServingContext): RouteDefinition[] {
  const tags = ['v2'];
  const meta = (req: RouteRequest): RouteResponse => {
    const m = modelOf(ctx, req.params.name);
    v2Variant(m, req.params.version);
    const facts = m.current;
    if (!facts) throw notReady(m);
    return { status: 200, json: v2Meta(m, facts) };
  };
  const modelReady = (req: RouteRequest): RouteResponse => {
    const m = modelOf(ctx, req.params.name);
    if (!m.ready) throw notReady(m);
    v2Variant(m, req.params.version);
    return { status: 200, json: { name: m.name, ready: true } };
  };
  const infer = (req: RouteRequest): RouteResponse => {
    const m = modelOf(ctx, req.params.name);
    const override = v2Variant(m, req.params.version);
    const facts = m.current;
    const rollout = m.router.rollout;
    if (!facts || !rollout) throw notReady(m);
    const hl = header(req, 'inference-header-content-length');
    let headerLength: number | undefined;
    if (hl !== undefined) {
      headerLength = /^[0-9]{1,12}$/.test(hl) ? Number(hl) : Number.NaN;
      if (Number.isNaN(headerLength))
        throw httpError(400, 'Inference-Header-Content-Length: expected a byte count', {
          field: 'inference-header-content-length',
          error: 'bad header length',
        });
    } else if (req.contentType !== '' && req.contentType !== 'application/json' && !req.contentType.endsWith('+json'))
      throw httpError(415, 'send application/json, or binary tensors with Inference-Header-Content-Length', {
        error: 'unsupported content type',
      });
    const body = req.body instanceof Uint8Array ? req.body : new Uint8Array(0);
    const ir = decodeInferRequest(body, headerLength);
    const rows = rowsOfTensors(ir.inputs, facts, m.name);
    if (rows.length === 0)
      throw httpError(400, 'inputs: no rows (the first dimension is 0)', { field: 'inputs', error: 'no rows' });
    const unit = header(req, ctx.unitHeader);
    const { results, revision } = predictMany(ctx, m, rows, undefined, unit, override);
    const available = v2Outputs(facts, results);
    const chosen: { tensor: OutputTensor; binary: boolean }[] = [];
    if (ir.outputs === undefined) {
      for (const name of ['prediction', 'probabilities']) {
        const t = available.get(name);
        if (t) chosen.push({ tensor: t, binary: ir.binaryOutput });
      }
    } else {
      for (const [name, binary] of ir.outputs) {
        const t = available.get(name);
        if (!t)
          throw httpError(
            400,
            `outputs: model "${m.name}" has no output "${name.slice(0, 100)}" (prediction, probabilities, request_id)`,
            { field: 'outputs', error: 'unknown output' },
          );
        chosen.push({ tensor: t, binary });
      }
    }
    const versions = [...new Set(results.map((r) => r.modelVersion))];
    const head: Record<string, unknown> = {
      model_name: m.name,
      model_version: versions.join(','),
      ...(ir.id !== undefined ? { id: ir.id } : {}),
      parameters: { rollout_revision: revision, variant: [...new Set(results.map((r) => r.variant))].join(',') },
    };
    const enc = encodeInferResponse(head, chosen);
    const headers: Record<string, string> = {
      [MODEL_VERSION_HEADER]: versions.join(','),
      [ROLLOUT_REVISION_HEADER]: String(revision),
    };
    if (enc.bytes) {
      headers['inference-header-content-length'] = String(enc.headerLength);
      return { status: 200, headers, bytes: enc.bytes, contentType: 'application/octet-stream' };
    }
    return { status: 200, headers, json: enc.json };
  };
  const inferBody = { kind: 'raw' as const, limit: ctx.batchBodyLimit, accept: ['*', ''] };
  const inferDoc = (operationId: string) => ({
    operationId,
    summary: 'V2 inference (JSON, or the binary tensor extension)',
    tags,
    requestBody: {
      required: true,
      content: {
        'application/json': { schema: v2InferRequestSchema },
        'application/octet-stream': {
          schema: z.string().meta({
            format: 'binary',
            description: 'JSON header (Inference-Header-Content-Length bytes) then binary tensors.',
          }),
        },
      },
    },
    responses: {
      '200': {
        description: 'The outputs (binary when asked: JSON header then tensors).',
        headers: PRED_HEADERS,
        content: {
          'application/json': { schema: v2InferResponseSchema },
          'application/octet-stream': { schema: z.string().meta({ format: 'binary' }) },
        },
      },
      ...problemResponses(400, 404, 413, 415, 422, 429, 503),
    },
  });
  const metaDoc = (operationId: string) => ({
    operationId,
    summary: 'V2 model metadata',
    tags,
    responses: { ...json200(v2ModelSchema, 'Metadata.'), ...problemResponses(400, 404, 503) },
  });
  const readyDoc = (operationId: string) => ({
    operationId,
    summary: 'V2 model readiness',
    tags,
    responses: { ...json200(v2ModelReadySchema, 'Ready.'), ...problemResponses(400, 404, 503) },
  });
  return [
    {
      method: 'get',
      path: '/v2',
      openapi: {
        operationId: 'v2Server',
        summary: 'V2 server metadata',
        tags,
        responses: json200(v2ServerSchema, 'Server metadata.'),
      },
      handler: () => ({
        status: 200,
        json: { name: 'modelship', version: ctx.version, extensions: ['binary_tensor_data'] },
      }),
    },
    {
      method: 'get',
      path: '/v2/health/live',
      openapi: { operationId: 'v2Live', summary: 'V2 liveness', tags, responses: json200(v2LiveSchema, 'Live.') },
      handler: () => ({ status: 200, json: { live: true } }),
    },
    {
      method: 'get',
      path: '/v2/health/ready',
      openapi: {
        operationId: 'v2Ready',
        summary: 'V2 readiness',
        tags,
        responses: { ...json200(v2ReadySchema, 'Ready.'), ...problemResponses(503) },
      },
      handler() {
        readyOrThrow(ctx);
        return { status: 200, json: { ready: true } };
      },
    },
    {
      method: 'get',
      path: '/v2/models/{name}',
      params: nameParams,
      openapi: metaDoc('v2ModelMetadata'),
      handler: meta,
    },
    {
      method: 'get',
      path: '/v2/models/{name}/versions/{version}',
      params: nameVersionParams,
      openapi: metaDoc('v2ModelVersionMetadata'),
      handler: meta,
    },
    {
      method: 'get',
      path: '/v2/models/{name}/ready',
      params: nameParams,
      openapi: readyDoc('v2ModelReady'),
      handler: modelReady,
    },
    {
      method: 'get',
      path: '/v2/models/{name}/versions/{version}/ready',
      params: nameVersionParams,
      openapi: readyDoc('v2ModelVersionReady'),
      handler: modelReady,
    },
    {
      method: 'post',
      path: '/v2/models/{name}/infer',
      params: nameParams,
      body: inferBody,
      openapi: inferDoc('v2Infer'),
      handler: infer,
    },
    {
      method: 'post',
      path: '/v2/models/{name}/versions/{version}/infer',
      params: nameVersionParams,
      body: inferBody,
      openapi: inferDoc('v2VersionInfer'),
      handler: infer,
    },
  ];
}

/** The MLflow 2 scoring routes (`/invocations`, `/ping`, `/version`) for one model. */
export function mlflowRoutes(ctx: ServingContext, model: string): RouteDefinition[] {
  return [
    {
      method: 'post',
      path: '/invocations',
      body: { kind: 'text', limit: ctx.batchBodyLimit, accept: ['application/json', 'text/csv'] },
      openapi: {
        operationId: 'mlflowInvocations',
        summary: 'MLflow scoring: dataframe_split, dataframe_records, instances, inputs, or CSV',
        tags: ['mlflow'],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: mlflowRequestSchema }, 'text/csv': { schema: z.string() } },
        },
        responses: {
          ...json200(mlflowResponseSchema, '{ predictions }, as MLflow 2 answers.', PRED_HEADERS),
          ...problemResponses(400, 404, 413, 415, 422, 429, 503),
        },
      },
      handler(req) {
        const m = modelOf(ctx, model);
        const facts = m.current;
        if (!facts) throw notReady(m);
        const text = typeof req.body === 'string' ? req.body : '';
        let rows: Record<string, unknown>[];
        if (req.contentType === 'text/csv') rows = rowsOfCsv(text, facts);
        else {
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            throw httpError(400, 'the body is not valid JSON', {
              code: 'INVALID_INPUT',
              error_code: 'BAD_REQUEST',
              message: 'the body is not valid JSON',
            });
          }
          rows = rowsOfMlflowJson(body, facts);
        }
        if (rows.length === 0)
          throw httpError(400, 'no rows', { code: 'INVALID_INPUT', error_code: 'BAD_REQUEST', message: 'no rows' });
        const { results, revision } = predictMany(ctx, m, rows, undefined, header(req, ctx.unitHeader), undefined);
        const predictions = results.map((r) => {
          const p = r.prediction as { value?: unknown } | number | string;
          return typeof p === 'object' && p !== null ? p.value : p;
        });
        return {
          status: 200,
          headers: {
            [MODEL_VERSION_HEADER]: [...new Set(results.map((r) => r.modelVersion))].join(','),
            [ROLLOUT_REVISION_HEADER]: String(revision),
          },
          json: { predictions },
        };
      },
    },
    {
      method: 'get',
      path: '/ping',
      openapi: {
        operationId: 'mlflowPing',
        summary: 'MLflow health',
        tags: ['mlflow'],
        responses: { '200': { description: 'Alive.', content: { 'application/json': { schema: z.string() } } } },
      },
      handler: () => ({ status: 200, text: '\n', contentType: 'application/json' }),
    },
    {
      method: 'get',
      path: '/version',
      openapi: {
        operationId: 'mlflowVersion',
        summary: 'The server version (MLflow answers its own)',
        tags: ['mlflow'],
        responses: { '200': { description: 'The version.', content: { 'text/plain': { schema: z.string() } } } },
      },
      handler: () => ({ status: 200, text: ctx.version }),
    },
  ];
}
