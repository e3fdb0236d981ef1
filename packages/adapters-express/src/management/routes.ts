/**
 * The management route table as data: method, path, role, the zod schemas of the request and of
 * the response. The router, the OpenAPI document and the authorization-matrix test are all
 * generated from it, so a route cannot be added without its role, its schemas and its test row.
 */
import type { z } from 'zod';
import { hasRole, type Role } from '../auth/roles.js';
import * as S from './schemas.js';

/** An HTTP method of a management route. */
export type ManagementMethod = 'get' | 'post' | 'put' | 'delete';

/** One management route. */
export interface ManagementRouteSpec {
  /** A stable id (`rollout.start`), the audit record's `route` and the OpenAPI `operationId`. */
  readonly id: string;
  /** The method. */
  readonly method: ManagementMethod;
  /** The Express path (`/models/:name/rollout`), relative to where the router is mounted. */
  readonly path: string;
  /** The role needed. */
  readonly role: Role;
  /** When set, the role needed when the `alias` path parameter (or `production` for `'production'`) is a protected alias. */
  readonly protectedRole?: {
    /** The role needed then. */
    readonly role: Role;
    /** Which alias: the `alias` path parameter, or always `production`. */
    readonly alias: 'param' | 'production';
  };
  /** True for a call that changes state: it is audited (failed calls too). */
  readonly mutating: boolean;
  /** A one-line summary. */
  readonly summary: string;
  /** The OpenAPI tag. */
  readonly tag:
    | 'models'
    | 'datasets'
    | 'aliases'
    | 'rollout'
    | 'jobs'
    | 'monitoring'
    | 'decisions'
    | 'approvals'
    | 'events'
    | 'audit'
    | 'auth';
  /** The option the route needs (it is not mounted without it). */
  readonly requires?: 'controller' | 'jobs' | 'drift' | 'predictions';
  /** True for a `text/event-stream` response. */
  readonly stream?: boolean;
  /** The success status. */
  readonly status: 200 | 201 | 202;
  /** The path parameters. */
  readonly params?: z.ZodType;
  /** The query parameters. */
  readonly query?: z.ZodType;
  /** The JSON body (a mutating route always has one; an empty body is `{}`). */
  readonly body?: z.ZodType;
  /** The success response body. */
  readonly response: z.ZodType;
}

const R = S.responses;

/** The route table with its literal types (ids, schemas), for the handlers' input types. */
const ROUTE_TABLE = [
  {
    id: 'auth.whoami',
    method: 'get',
    path: '/whoami',
    role: 'viewer',
    mutating: false,
    tag: 'auth',
    summary: 'The caller and their role',
    status: 200,
    response: R.whoami,
  },
  // models and versions
  {
    id: 'models.list',
    method: 'get',
    path: '/models',
    role: 'viewer',
    mutating: false,
    tag: 'models',
    summary: 'Every model name',
    status: 200,
    response: R.models,
  },
  {
    id: 'models.get',
    method: 'get',
    path: '/models/:name',
    role: 'viewer',
    mutating: false,
    tag: 'models',
    summary: 'A model, its aliases and its rollout',
    status: 200,
    params: S.modelParams,
    response: R.model,
  },
  {
    id: 'versions.list',
    method: 'get',
    path: '/models/:name/versions',
    role: 'viewer',
    mutating: false,
    tag: 'models',
    summary: "A model's versions, oldest first",
    status: 200,
    params: S.modelParams,
    response: R.versions,
  },
  {
    id: 'versions.search',
    method: 'get',
    path: '/versions',
    role: 'viewer',
    mutating: false,
    tag: 'models',
    summary: 'Versions matching tags, metric thresholds, times, dataset',
    status: 200,
    query: S.searchQuery,
    response: R.versions,
  },
  {
    id: 'versions.get',
    method: 'get',
    path: '/models/:name/versions/:version',
    role: 'viewer',
    mutating: false,
    tag: 'models',
    summary: 'One version',
    status: 200,
    params: S.versionParams,
    response: R.version,
  },
  // datasets
  {
    id: 'datasets.list',
    method: 'get',
    path: '/datasets',
    role: 'viewer',
    mutating: false,
    tag: 'datasets',
    summary: 'Every dataset name',
    status: 200,
    response: R.datasets,
  },
  {
    id: 'datasets.versions',
    method: 'get',
    path: '/datasets/:name/versions',
    role: 'viewer',
    mutating: false,
    tag: 'datasets',
    summary: "A dataset's versions",
    status: 200,
    params: S.modelParams,
    response: R.datasetVersions,
  },
  {
    id: 'datasets.get',
    method: 'get',
    path: '/datasets/:name/versions/:version',
    role: 'viewer',
    mutating: false,
    tag: 'datasets',
    summary: 'One dataset version (number or label)',
    status: 200,
    params: S.datasetVersionParams,
    response: R.datasetVersion,
  },
  // aliases
  {
    id: 'aliases.list',
    method: 'get',
    path: '/models/:name/aliases',
    role: 'viewer',
    mutating: false,
    tag: 'aliases',
    summary: "A model's aliases",
    status: 200,
    params: S.modelParams,
    response: R.aliases,
  },
  {
    id: 'aliases.set',
    method: 'put',
    path: '/models/:name/aliases/:alias',
    role: 'operator',
    protectedRole: { role: 'admin', alias: 'param' },
    mutating: true,
    tag: 'aliases',
    summary: 'Point an alias at a version (compare-and-set with expect)',
    status: 200,
    params: S.aliasParams,
    body: S.setAliasBody,
    response: R.aliasEntry,
  },
  {
    id: 'aliases.history',
    method: 'get',
    path: '/models/:name/aliases/:alias/history',
    role: 'viewer',
    mutating: false,
    tag: 'aliases',
    summary: "An alias's history, oldest first",
    status: 200,
    params: S.aliasParams,
    response: R.aliasHistory,
  },
  {
    id: 'aliases.at',
    method: 'get',
    path: '/models/:name/aliases/:alias/at',
    role: 'viewer',
    mutating: false,
    tag: 'aliases',
    summary: 'What an alias pointed to at a time',
    status: 200,
    params: S.aliasParams,
    query: S.aliasAtQuery,
    response: R.aliasAt,
  },
  {
    id: 'aliases.rollback',
    method: 'post',
    path: '/models/:name/aliases/:alias/rollback',
    role: 'operator',
    protectedRole: { role: 'admin', alias: 'param' },
    mutating: true,
    tag: 'aliases',
    summary: 'Move an alias back to its previous target',
    status: 200,
    params: S.aliasParams,
    body: S.aliasRollbackBody,
    response: R.aliasEntry,
  },
  // rollout
  {
    id: 'rollout.get',
    method: 'get',
    path: '/models/:name/rollout',
    role: 'viewer',
    mutating: false,
    tag: 'rollout',
    summary: "A model's rollout record",
    status: 200,
    params: S.modelParams,
    response: R.rollout,
  },
  {
    id: 'rollout.start',
    method: 'post',
    path: '/models/:name/rollout',
    role: 'operator',
    mutating: true,
    tag: 'rollout',
    summary: 'Start a rollout of a candidate',
    status: 201,
    params: S.modelParams,
    body: S.startRolloutBody,
    response: R.rollout,
  },
  {
    id: 'rollout.ramp',
    method: 'post',
    path: '/models/:name/rollout/ramp',
    role: 'operator',
    mutating: true,
    tag: 'rollout',
    summary: 'Ramp the rollout to its next step',
    status: 200,
    params: S.modelParams,
    body: S.rampBody,
    response: R.rollout,
  },
  {
    id: 'rollout.abort',
    method: 'post',
    path: '/models/:name/rollout/abort',
    role: 'operator',
    mutating: true,
    tag: 'rollout',
    summary: 'Abort the rollout (roll the candidate back)',
    status: 200,
    params: S.modelParams,
    body: S.changeBody,
    response: R.rollout,
  },
  {
    id: 'models.promote',
    method: 'post',
    path: '/models/:name/promote',
    role: 'operator',
    mutating: true,
    tag: 'rollout',
    summary: 'Promote the candidate to production',
    status: 200,
    params: S.modelParams,
    body: S.changeBody,
    response: R.rollout,
  },
  {
    id: 'models.rollback',
    method: 'post',
    path: '/models/:name/rollback',
    role: 'operator',
    protectedRole: { role: 'admin', alias: 'production' },
    mutating: true,
    tag: 'rollout',
    summary: 'Roll production back to its previous version',
    status: 200,
    params: S.modelParams,
    body: S.productionRollbackBody,
    response: R.aliasEntry,
  },
  {
    id: 'models.history',
    method: 'get',
    path: '/models/:name/history',
    role: 'viewer',
    mutating: false,
    tag: 'rollout',
    summary: "A model's deployment history",
    status: 200,
    params: S.modelParams,
    response: R.deploymentHistory,
  },
  {
    id: 'models.state',
    method: 'get',
    path: '/models/:name/state',
    role: 'viewer',
    mutating: false,
    tag: 'rollout',
    summary: "The controller's state of a model",
    status: 200,
    requires: 'controller',
    params: S.modelParams,
    response: R.state,
  },
  // training jobs
  {
    id: 'jobs.submit',
    method: 'post',
    path: '/jobs',
    role: 'operator',
    mutating: true,
    tag: 'jobs',
    summary: 'Start a training job from a spec (Idempotency-Key header honoured)',
    status: 202,
    requires: 'jobs',
    body: S.trainingSpecBody,
    response: R.job,
  },
  {
    id: 'jobs.list',
    method: 'get',
    path: '/jobs',
    role: 'viewer',
    mutating: false,
    tag: 'jobs',
    summary: 'Training jobs, newest first',
    status: 200,
    requires: 'jobs',
    query: S.jobsQuery,
    response: R.jobs,
  },
  {
    id: 'jobs.get',
    method: 'get',
    path: '/jobs/:id',
    role: 'viewer',
    mutating: false,
    tag: 'jobs',
    summary: "A job's status",
    status: 200,
    requires: 'jobs',
    params: S.jobParams,
    response: R.job,
  },
  {
    id: 'jobs.logs',
    method: 'get',
    path: '/jobs/:id/logs',
    role: 'viewer',
    mutating: false,
    tag: 'jobs',
    summary: "A job's log lines and status, as server-sent events, until it ends",
    status: 200,
    requires: 'jobs',
    stream: true,
    params: S.jobParams,
    response: R.stream,
  },
  {
    id: 'jobs.cancel',
    method: 'post',
    path: '/jobs/:id/cancel',
    role: 'operator',
    mutating: true,
    tag: 'jobs',
    summary: 'Cancel a job',
    status: 200,
    requires: 'jobs',
    params: S.jobParams,
    body: S.reasonBody,
    response: R.job,
  },
  {
    id: 'models.retrain',
    method: 'post',
    path: '/models/:name/retrain',
    role: 'operator',
    mutating: true,
    tag: 'jobs',
    summary: "Retrain a model now with the controller's spec",
    status: 202,
    requires: 'controller',
    params: S.modelParams,
    body: S.noBody,
    response: R.retrain,
  },
  // monitoring
  {
    id: 'drift.get',
    method: 'get',
    path: '/models/:name/drift',
    role: 'viewer',
    mutating: false,
    tag: 'monitoring',
    summary: "The model's drift report",
    status: 200,
    requires: 'drift',
    params: S.modelParams,
    response: R.drift,
  },
  {
    id: 'predictions.recent',
    method: 'get',
    path: '/predictions',
    role: 'viewer',
    mutating: false,
    tag: 'monitoring',
    summary: 'The newest logged predictions (of one model, or every model), newest first',
    status: 200,
    requires: 'predictions',
    query: S.recentPredictionsQuery,
    response: R.predictions,
  },
  {
    id: 'predictions.get',
    method: 'get',
    path: '/predictions/:requestId',
    role: 'viewer',
    mutating: false,
    tag: 'monitoring',
    summary: 'The logged rows of one request id (the answer, then shadow calls mirrored from it)',
    status: 200,
    requires: 'predictions',
    params: S.requestIdParams,
    response: R.predictions,
  },
  {
    id: 'predictions.range',
    method: 'get',
    path: '/models/:name/predictions',
    role: 'viewer',
    mutating: false,
    tag: 'monitoring',
    summary: "A model's logged predictions in [from, to), oldest first, one page at a time",
    status: 200,
    requires: 'predictions',
    params: S.modelParams,
    query: S.predictionRangeQuery,
    response: R.predictions,
  },
  {
    id: 'alerts.list',
    method: 'get',
    path: '/models/:name/alerts',
    role: 'viewer',
    mutating: false,
    tag: 'monitoring',
    summary: "A model's alerts, open first",
    status: 200,
    requires: 'controller',
    params: S.modelParams,
    response: R.alerts,
  },
  {
    id: 'alerts.acknowledge',
    method: 'post',
    path: '/models/:name/alerts/:id/acknowledge',
    role: 'operator',
    mutating: true,
    tag: 'monitoring',
    summary: 'Acknowledge an alert',
    status: 200,
    requires: 'controller',
    params: S.modelItemParams,
    body: S.noBody,
    response: R.alert,
  },
  // decisions
  {
    id: 'decisions.list',
    method: 'get',
    path: '/models/:name/decisions',
    role: 'viewer',
    mutating: false,
    tag: 'decisions',
    summary: "A page of the model's decision log, newest first",
    status: 200,
    requires: 'controller',
    params: S.modelParams,
    query: S.decisionsQuery,
    response: R.decisions,
  },
  {
    id: 'decisions.get',
    method: 'get',
    path: '/models/:name/decisions/:id',
    role: 'viewer',
    mutating: false,
    tag: 'decisions',
    summary: 'One decision log entry',
    status: 200,
    requires: 'controller',
    params: S.modelItemParams,
    response: R.decision,
  },
  {
    id: 'decisions.replay',
    method: 'post',
    path: '/models/:name/decisions/:id/replay',
    role: 'viewer',
    mutating: false,
    tag: 'decisions',
    summary: 'Recompute a logged decision from its record and compare',
    status: 200,
    requires: 'controller',
    params: S.modelItemParams,
    body: S.noBody,
    response: R.replay,
  },
  // approvals
  {
    id: 'approvals.list',
    method: 'get',
    path: '/models/:name/approvals',
    role: 'viewer',
    mutating: false,
    tag: 'approvals',
    summary: "A model's approvals, newest first",
    status: 200,
    requires: 'controller',
    params: S.modelParams,
    response: R.approvals,
  },
  {
    id: 'approvals.approve',
    method: 'post',
    path: '/models/:name/approvals/approve',
    role: 'operator',
    mutating: true,
    tag: 'approvals',
    summary: 'Approve the pending approval',
    status: 200,
    requires: 'controller',
    params: S.modelParams,
    body: S.reasonBody,
    response: R.approval,
  },
  {
    id: 'approvals.reject',
    method: 'post',
    path: '/models/:name/approvals/reject',
    role: 'operator',
    mutating: true,
    tag: 'approvals',
    summary: 'Reject the pending approval',
    status: 200,
    requires: 'controller',
    params: S.modelParams,
    body: S.reasonBody,
    response: R.approval,
  },
  // events and audit
  {
    id: 'events.stream',
    method: 'get',
    path: '/events',
    role: 'viewer',
    mutating: false,
    tag: 'events',
    summary: "The controller's events as server-sent events (Last-Event-ID resumes)",
    status: 200,
    requires: 'controller',
    stream: true,
    query: S.eventsQuery,
    response: R.stream,
  },
  {
    id: 'audit.list',
    method: 'get',
    path: '/audit',
    role: 'admin',
    mutating: false,
    tag: 'audit',
    summary: 'The audit log of mutating calls, oldest first',
    status: 200,
    query: S.auditQuery,
    response: R.audit,
  },
] as const satisfies readonly ManagementRouteSpec[];

/** Every management route (paths relative to the router's mount point, e.g. `/manage`). */
export const MANAGEMENT_ROUTES: readonly ManagementRouteSpec[] = ROUTE_TABLE;

/** The id of a management route. */
export type ManagementRouteId = (typeof ROUTE_TABLE)[number]['id'];

/** The exact type of the route table (each route's literal id, path and schemas), for typed handlers. */
export type ManagementRouteTable = typeof ROUTE_TABLE;

/**
 * The role a call of `route` with these path parameters needs: the route's role, or its
 * `protectedRole` when the alias it moves is protected.
 */
export function requiredRole(
  route: ManagementRouteSpec,
  params: Readonly<Record<string, string | undefined>>,
  protectedAliases: ReadonlySet<string>,
): Role {
  const p = route.protectedRole;
  if (!p) return route.role;
  const alias = p.alias === 'production' ? 'production' : params.alias;
  return alias !== undefined && protectedAliases.has(alias) && hasRole(p.role, route.role) ? p.role : route.role;
}

/** The OpenAPI form of an Express path (`/models/:name` → `/models/{name}`). */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
