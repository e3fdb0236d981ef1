/**
 * The framework-free handlers of the management routes: each takes the validated path
 * parameters, query and body and the caller, and returns a JSON result or an event stream.
 */
import { isModelshipError, recomputeDecision, type DecisionRecord, type ModelRegistry } from '@modelship/core';
import type { MetricFilter, VersionQuery } from '@modelship/core/registry';
import type { z } from 'zod';
import type { AuditLog } from '../audit/audit-log.js';
import type { Principal } from '../auth/auth.js';
import { ManagementError } from './errors.js';
import type { ManagementRouteId, ManagementRouteTable } from './routes.js';
import type { EventHub, SseWriter } from './sse.js';

/** A lifecycle event as the event stream relays it (the controller's `ControllerEvent`). */
export interface ManagementEvent {
  /** The event id. */
  id: string;
  /** What happened (`rollout.started`…). */
  type: string;
  /** The model (`''` for controller-wide events). */
  model: string;
  /** When (epoch ms). */
  at: number;
  /** One human sentence. */
  message: string;
  /** The event's data. */
  data: Record<string, unknown>;
}

/** What the management API uses of a decision log entry (the controller's `DecisionLogEntry`). */
export interface ManagementDecision {
  /** The entry id. */
  id: string;
  /** The policy's action. */
  action: string;
  /** Every input of the decision (absent on offline-gate decisions). */
  record?: DecisionRecord | undefined;
}

/**
 * What the management API uses of the lifecycle controller (`Controller` of `@modelship/controller`
 * fits; it is described structurally so this package needs no runtime import of the controller).
 */
export interface ManagementController {
  /** The model's controller state, or `undefined` before its first deployment. */
  state(model: string): Promise<unknown>;
  /** Approves the pending approval. */
  approve(model: string, options: { by: string; reason?: string }): Promise<unknown>;
  /** Rejects the pending approval. */
  reject(model: string, options: { by: string; reason?: string }): Promise<unknown>;
  /** Approvals, newest first. */
  approvals(model: string): Promise<unknown[]>;
  /** The decision log, newest first. */
  decisions(model: string, options?: { limit?: number }): Promise<ManagementDecision[]>;
  /** Alerts, open first. */
  alerts(model: string): Promise<unknown[]>;
  /** Acknowledges an alert. */
  acknowledge(model: string, alertId: string, by: string): Promise<unknown>;
  /** Starts a retraining now; the job id, or `undefined` when one is in flight. */
  retrain(model: string, trigger?: 'manual'): Promise<string | undefined>;
  /** Subscribes to lifecycle events. */
  on(event: 'event', listener: (event: ManagementEvent) => void): unknown;
  /** Unsubscribes. */
  off(event: 'event', listener: (event: ManagementEvent) => void): unknown;
}

/** What the management API uses of a training job record. */
export interface ManagementJob {
  /** The job id. */
  id: string;
  /** The model. */
  model: string;
  /** `queued`, `running`, `succeeded`, `failed` or `cancelled`. */
  status: string;
  /** Progress in [0, 1]. */
  progress: number;
  /** The last log lines. */
  logs: string[];
  /** The version registered, on success. */
  version?: number | undefined;
  /** Why it failed. */
  error?: string | undefined;
}

/** A training spec as the job runner takes it (validated by the runner). */
export interface ManagementTrainingSpec {
  /** The model to train. */
  model: string;
}

/** What the management API uses of a job runner (`JobRunner` of `@modelship/controller` fits). */
export interface ManagementJobRunner {
  /** Queues a job (validating the spec). */
  submit(
    spec: ManagementTrainingSpec,
    options?: { trigger?: 'manual'; idempotencyKey?: string },
  ): Promise<ManagementJob>;
  /** One job, or `undefined`. */
  get(id: string): Promise<ManagementJob | undefined>;
  /** Jobs, newest first. */
  list(query?: {
    model?: string;
    status?: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
    limit?: number;
  }): Promise<ManagementJob[]>;
  /** Cancels a job. */
  cancel(id: string, reason?: string): Promise<ManagementJob>;
}

/** One logged prediction as the query API returns it (`PredictionRow` of `@modelship/prediction-log-sql`). */
export interface ManagementPredictionRow {
  /** The signed request id. */
  requestId: string;
  /** When the request started (epoch ms). */
  time: number;
  /** The model. */
  model: string;
  /** The variant that answered. */
  variant: string;
  /** The model version that answered. */
  modelVersion: number;
  /** Time in the model(s), ms. */
  latencyMs: number;
  /** The answer. */
  prediction: unknown;
  /** The logged input. */
  input: unknown;
  /** True for a mirrored (shadow) call. */
  shadow: boolean;
}

/** The prediction log's query API the prediction routes use (`PredictionQuery` of `@modelship/prediction-log-sql`). */
export interface ManagementPredictionQuery {
  /** The newest rows, newest first. */
  recent(query?: { model?: string; limit?: number }): Promise<ManagementPredictionRow[]>;
  /** The rows of one request id. */
  byRequestId(requestId: string): Promise<ManagementPredictionRow[]>;
  /** A model's rows in `[from, to)`, oldest first, one page at a time. */
  range(query: {
    model: string;
    variant?: string;
    from: number;
    to: number;
    limit?: number;
    cursor?: string;
  }): Promise<{ rows: ManagementPredictionRow[]; nextCursor?: string }>;
}

/** What the handlers work on. */
export interface ManagementDeps {
  /** The registry. */
  registry: ModelRegistry;
  /** The controller, when given. */
  controller: ManagementController | undefined;
  /** The job runner, when given. */
  jobs: ManagementJobRunner | undefined;
  /** The drift report source, when given. */
  drift: ((model: string) => unknown) | undefined;
  /** The prediction log's query API, when given. */
  predictions: ManagementPredictionQuery | undefined;
  /** Validates a training spec before it is submitted (default: the runner validates). */
  validateSpec: ((spec: unknown) => ManagementTrainingSpec) | undefined;
  /** The audit log. */
  audit: AuditLog;
  /** The event hub. */
  hub: EventHub;
  /** How often a job's log stream looks for new lines, in ms. */
  logPollMs: number;
}

/** A handler's result: a JSON body (with the route's status unless given) or an event stream. */
export type HandlerResult =
  | { kind: 'json'; body: unknown; status?: number }
  | { kind: 'stream'; open: (sse: SseWriter) => void };

type Spec<I extends ManagementRouteId> = Extract<ManagementRouteTable[number], { id: I }>;
type Part<S, K extends string> = S extends { [P in K]: infer T }
  ? T extends z.ZodType
    ? z.output<T>
    : never
  : Record<string, never>;

/** The validated input of the handler of route `I`. */
export interface HandlerInput<I extends ManagementRouteId> {
  /** Path parameters. */
  params: Part<Spec<I>, 'params'>;
  /** Query parameters. */
  query: Part<Spec<I>, 'query'>;
  /** The JSON body. */
  body: Part<Spec<I>, 'body'>;
  /** The caller. */
  principal: Principal;
  /** The request headers. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** The handler of every route. */
export type ManagementHandlers = {
  [I in ManagementRouteId]: (input: HandlerInput<I>, deps: ManagementDeps) => Promise<HandlerResult>;
};

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

function ok(body: unknown, status?: number): HandlerResult {
  return status === undefined ? { kind: 'json', body } : { kind: 'json', body, status };
}

/** `o` without its `undefined` members (for `exactOptionalPropertyTypes`). */
function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}

function notFound(message: string, field?: string): ManagementError {
  return new ManagementError('NOT_FOUND', message, field !== undefined ? { details: { field } } : {});
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw notFound(`no ${what} is configured`);
  return value;
}

function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The registry query of the version-search query string. */
export function versionQueryOf(q: HandlerInput<'versions.search'>['query']): VersionQuery {
  const tags: Record<string, string | true> = {};
  for (const t of list(q.tag)) {
    const i = t.indexOf('=');
    if (i === 0 || t.length === 0)
      throw new ManagementError('INVALID_INPUT', `tag: expected key or key=value, received "${t}"`, {
        details: { field: 'tag' },
      });
    if (i < 0) tags[t] = true;
    else tags[t.slice(0, i)] = t.slice(i + 1);
  }
  const metrics: MetricFilter[] = [];
  for (const m of list(q.metric)) {
    const r = /^([A-Za-z0-9_.:-]+)(>=|<=|>|<)(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)$/.exec(m);
    if (!r)
      throw new ManagementError('INVALID_INPUT', `metric: expected name>=value (>=, >, <=, <), received "${m}"`, {
        details: { field: 'metric' },
      });
    const [, name, op, value] = r as unknown as [string, string, '>=' | '<=' | '>' | '<', string];
    const key = op === '>=' ? 'gte' : op === '>' ? 'gt' : op === '<=' ? 'lte' : 'lt';
    metrics.push({ name, [key]: Number(value) });
  }
  const out: VersionQuery = {};
  if (q.name !== undefined) out.name = q.name;
  if (Object.keys(tags).length > 0) out.tags = tags;
  if (metrics.length > 0) out.metrics = metrics;
  if (q.createdAfter !== undefined) out.createdAfter = q.createdAfter;
  if (q.createdBefore !== undefined) out.createdBefore = q.createdBefore;
  if (q.dataset !== undefined) {
    const at = q.dataset.lastIndexOf('@');
    out.dataset = { name: q.dataset.slice(0, at), version: Number(q.dataset.slice(at + 1)) };
  }
  return out;
}

/** The lines of `cur` after those already seen in `prev` (the log is appended to and trimmed at its start). */
export function newLines(prev: readonly string[], cur: readonly string[]): string[] {
  for (let k = Math.min(prev.length, cur.length); k > 0; k--) {
    let same = true;
    for (let i = 0; i < k && same; i++) same = prev[prev.length - k + i] === cur[i];
    if (same) return cur.slice(k);
  }
  return [...cur];
}

async function rolloutConflictInfo(registry: ModelRegistry, name: string, err: unknown): Promise<never> {
  if (
    isModelshipError(err, 'RegistryError', 'CONFLICT') &&
    (err.details as { actual?: unknown } | undefined)?.actual === undefined
  ) {
    const r = await registry.getRollout(name).catch(() => undefined);
    (err.details as Record<string, unknown>).actual = r?.revision ?? null;
  }
  throw err;
}

/** The handlers, by route id. */
export const managementHandlers: ManagementHandlers = {
  'auth.whoami': async ({ principal }) => ok({ id: principal.id, role: principal.role }),
  'models.list': async (_, d) => ok({ models: await d.registry.listModels() }),
  'models.get': async ({ params }, d) => {
    const model = await d.registry.getModel(params.name);
    const [aliases, rollout] = await Promise.all([
      d.registry.listAliases(params.name),
      d.registry.getRollout(params.name),
    ]);
    return ok({ model, aliases, rollout: rollout ?? null });
  },
  'versions.list': async ({ params }, d) => ok({ versions: await d.registry.listVersions(params.name) }),
  'versions.search': async ({ query }, d) => ok({ versions: await d.registry.searchVersions(versionQueryOf(query)) }),
  'versions.get': async ({ params }, d) => ok(await d.registry.getVersion(params.name, params.version)),
  'datasets.list': async (_, d) => ok({ datasets: await d.registry.listDatasets() }),
  'datasets.versions': async ({ params }, d) => ok({ versions: await d.registry.listDatasetVersions(params.name) }),
  'datasets.get': async ({ params }, d) => {
    const v = /^\d+$/.test(params.version) ? Number(params.version) : params.version;
    return ok(await d.registry.getDataset(params.name, v));
  },
  'aliases.list': async ({ params }, d) => ok({ aliases: await d.registry.listAliases(params.name) }),
  'aliases.set': async ({ params, body, principal }, d) =>
    ok(
      await d.registry.setAlias(params.name, params.alias, body.version, {
        ...defined({ expect: body.expect, reason: body.reason }),
        actor: principal.id,
        force: true, // the router already checked the caller's role for a protected alias
      }),
    ),
  'aliases.history': async ({ params }, d) => ok({ history: await d.registry.aliasHistory(params.name, params.alias) }),
  'aliases.at': async ({ params, query }, d) =>
    ok({
      alias: params.alias,
      time: query.time,
      version: (await d.registry.aliasAt(params.name, params.alias, query.time)) ?? null,
    }),
  'aliases.rollback': async ({ params, body, principal }, d) =>
    ok(
      await d.registry.rollback(params.name, params.alias, {
        ...defined({ expect: body.expect, reason: body.reason }),
        actor: principal.id,
        force: true,
      }),
    ),
  'rollout.get': async ({ params }, d) => {
    const r = await d.registry.getRollout(params.name);
    if (!r) {
      await d.registry.getModel(params.name); // 404 for an unknown model first
      throw notFound(`model "${params.name}" has no rollout`);
    }
    return ok(r);
  },
  'rollout.start': async ({ params, body, principal }, d) => {
    const { expect, reason, ...input } = body;
    return ok(
      await d.registry
        .startRollout(params.name, defined(input) as { candidate: number }, {
          ...defined({ expect, reason }),
          actor: principal.id,
        })
        .catch((err: unknown) => rolloutConflictInfo(d.registry, params.name, err)),
    );
  },
  'rollout.ramp': async ({ params, body, principal }, d) =>
    ok(
      await d.registry
        .rampRollout(params.name, {
          ...defined({ step: body.step, expect: body.expect, reason: body.reason }),
          actor: principal.id,
        })
        .catch((err: unknown) => rolloutConflictInfo(d.registry, params.name, err)),
    ),
  'rollout.abort': async ({ params, body, principal }, d) =>
    ok(
      await d.registry
        .rollbackCandidate(params.name, {
          ...defined({ expect: body.expect, reason: body.reason }),
          actor: principal.id,
        })
        .catch((err: unknown) => rolloutConflictInfo(d.registry, params.name, err)),
    ),
  'models.promote': async ({ params, body, principal }, d) =>
    ok(
      await d.registry
        .promoteCandidate(params.name, {
          ...defined({ expect: body.expect, reason: body.reason }),
          actor: principal.id,
        })
        .catch((err: unknown) => rolloutConflictInfo(d.registry, params.name, err)),
    ),
  'models.rollback': async ({ params, body, principal }, d) =>
    ok(
      await d.registry.rollback(params.name, 'production', {
        ...defined({ expect: body.expect, reason: body.reason }),
        actor: principal.id,
        force: true,
      }),
    ),
  'models.history': async ({ params }, d) => {
    await d.registry.getModel(params.name);
    return ok({ history: await d.registry.deploymentHistory(params.name) });
  },
  'models.state': async ({ params }, d) => {
    const s = await need(d.controller, 'controller').state(params.name);
    if (s === undefined) throw notFound(`model "${params.name}" has no controller state yet (never deployed)`);
    return ok(s);
  },
  'jobs.submit': async ({ body, headers }, d) => {
    const jobs = need(d.jobs, 'job runner');
    const spec = d.validateSpec ? d.validateSpec(body) : (body as unknown as ManagementTrainingSpec);
    const key = headers['idempotency-key'];
    const idempotencyKey = Array.isArray(key) ? key[0] : key;
    return ok(
      await jobs.submit(spec, { trigger: 'manual', ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) }),
    );
  },
  'jobs.list': async ({ query }, d) =>
    ok({
      jobs: await need(d.jobs, 'job runner').list({
        ...defined({ model: query.model, status: query.status }),
        limit: query.limit,
      }),
    }),
  'jobs.get': async ({ params }, d) => {
    const j = await need(d.jobs, 'job runner').get(params.id);
    if (!j) throw notFound(`no job "${params.id}"`, 'id');
    return ok(j);
  },
  'jobs.logs': async ({ params }, d) => {
    const jobs = need(d.jobs, 'job runner');
    const first = await jobs.get(params.id);
    if (!first) throw notFound(`no job "${params.id}"`, 'id');
    return {
      kind: 'stream',
      open: (sse) => {
        let prev: string[] = [];
        let seq = 0;
        let last = '';
        let timer: ReturnType<typeof setTimeout> | undefined;
        sse.onClose(() => clearTimeout(timer));
        const show = (j: ManagementJob): boolean => {
          for (const line of newLines(prev, j.logs)) sse.send('log', { line }, String(++seq));
          prev = j.logs;
          const status = { status: j.status, progress: j.progress, ...defined({ version: j.version, error: j.error }) };
          const key = JSON.stringify(status);
          if (key !== last) sse.send('status', status);
          last = key;
          if (!TERMINAL.has(j.status)) return false;
          sse.send('end', { status: j.status });
          sse.close();
          return true;
        };
        const poll = async (): Promise<void> => {
          if (sse.closed) return;
          const j = await jobs.get(params.id).catch(() => undefined);
          if (sse.closed) return;
          if (!j) {
            sse.send('end', { status: 'gone' });
            sse.close();
            return;
          }
          if (!show(j)) timer = setTimeout(() => void poll(), d.logPollMs);
        };
        if (!show(first)) timer = setTimeout(() => void poll(), d.logPollMs);
      },
    };
  },
  'jobs.cancel': async ({ params, body }, d) =>
    ok(await need(d.jobs, 'job runner').cancel(params.id, body.reason ?? 'cancelled by an operator')),
  'models.retrain': async ({ params }, d) =>
    ok({ jobId: (await need(d.controller, 'controller').retrain(params.name, 'manual')) ?? null }),
  'predictions.recent': async ({ query }, d) => {
    const rows = await need(d.predictions, 'prediction log').recent(
      query.model !== undefined ? { model: query.model, limit: query.limit } : { limit: query.limit },
    );
    return { kind: 'json', body: { predictions: rows } };
  },
  'predictions.get': async ({ params }, d) => {
    const rows = await need(d.predictions, 'prediction log').byRequestId(params.requestId);
    if (rows.length === 0) throw notFound(`no logged prediction with request id "${params.requestId}"`);
    return { kind: 'json', body: { predictions: rows } };
  },
  'predictions.range': async ({ params, query }, d) => {
    if (query.to < query.from) {
      throw new ManagementError(
        'INVALID_INPUT',
        `query.to: expected a time at or after from (${query.from}), received ${query.to}`,
        {
          details: { field: 'to' },
        },
      );
    }
    const page = await need(d.predictions, 'prediction log').range({
      model: params.name,
      from: query.from,
      to: query.to,
      limit: query.limit,
      ...(query.variant !== undefined ? { variant: query.variant } : {}),
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    });
    return {
      kind: 'json',
      body: { predictions: page.rows, ...(page.nextCursor !== undefined ? { next: page.nextCursor } : {}) },
    };
  },
  'drift.get': async ({ params }, d) => {
    const report = await need(d.drift, 'drift source')(params.name);
    if (report === undefined || report === null) throw notFound(`no drift report for model "${params.name}"`);
    return ok(report);
  },
  'alerts.list': async ({ params }, d) => ok({ alerts: await need(d.controller, 'controller').alerts(params.name) }),
  'alerts.acknowledge': async ({ params, principal }, d) =>
    ok(await need(d.controller, 'controller').acknowledge(params.name, params.id, principal.id)),
  'decisions.list': async ({ params, query }, d) => {
    const c = need(d.controller, 'controller');
    const all = await c.decisions(params.name, {
      limit: query.before === undefined ? query.limit + 1 : Number.MAX_SAFE_INTEGER,
    });
    let start = 0;
    if (query.before !== undefined) {
      const i = all.findIndex((e) => e.id === query.before);
      if (i < 0) throw notFound(`no decision "${query.before}" in the log of model "${params.name}"`, 'before');
      start = i + 1;
    }
    const page = all.slice(start, start + query.limit);
    const more = all.length > start + query.limit;
    return ok({ decisions: page, ...(more && page.length > 0 ? { next: page[page.length - 1]!.id } : {}) });
  },
  'decisions.get': async ({ params }, d) => {
    const all = await need(d.controller, 'controller').decisions(params.name, { limit: Number.MAX_SAFE_INTEGER });
    const e = all.find((x) => x.id === params.id);
    if (!e) throw notFound(`no decision "${params.id}" in the log of model "${params.name}"`, 'id');
    return ok(e);
  },
  'decisions.replay': async ({ params }, d) => {
    const all = await need(d.controller, 'controller').decisions(params.name, { limit: Number.MAX_SAFE_INTEGER });
    const e = all.find((x) => x.id === params.id);
    if (!e) throw notFound(`no decision "${params.id}" in the log of model "${params.name}"`, 'id');
    if (!e.record) {
      throw new ManagementError(
        'BUSINESS_RULE',
        `decision "${params.id}" was logged without its inputs (an offline-gate or approval decision): nothing to recompute`,
      );
    }
    const r = recomputeDecision(e.record);
    return ok({
      id: e.id,
      logged: { action: e.action },
      recomputed: { action: r.action, reasons: r.reasons },
      matches: r.action === e.action,
    });
  },
  'approvals.list': async ({ params }, d) =>
    ok({ approvals: await need(d.controller, 'controller').approvals(params.name) }),
  'approvals.approve': async ({ params, body, principal }, d) =>
    ok(
      await need(d.controller, 'controller').approve(params.name, {
        by: principal.id,
        ...defined({ reason: body.reason }),
      }),
    ),
  'approvals.reject': async ({ params, body, principal }, d) =>
    ok(
      await need(d.controller, 'controller').reject(params.name, {
        by: principal.id,
        ...defined({ reason: body.reason }),
      }),
    ),
  'events.stream': async ({ query, headers }, d) => ({
    kind: 'stream',
    open: (sse) => {
      const header = headers['last-event-id'];
      const last = (Array.isArray(header) ? header[0] : header) ?? query.lastEventId;
      const wanted = (model: string): boolean => query.model === undefined || model === '' || model === query.model;
      const { events, gap } = d.hub.since(last);
      if (gap) sse.comment('some events after Last-Event-ID are no longer buffered');
      for (const e of events) if (wanted(e.model)) sse.send(e.event, e.data, e.id);
      const off = d.hub.subscribe((e) => {
        if (wanted(e.model)) sse.send(e.event, e.data, e.id);
      });
      sse.onClose(off);
    },
  }),
  'audit.list': async ({ query }, d) =>
    ok(
      await d.audit.list({
        ...defined({ from: query.from, to: query.to, actor: query.actor, after: query.after }),
        limit: query.limit,
      }),
    ),
};
