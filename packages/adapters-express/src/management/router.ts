/**
 * `createManagementRouter`: the management API as an Express 5 router over the framework-free
 * handlers — authentication, roles, rate limiting, body limits, zod validation, problem+json
 * errors, an audit record of every mutating call and server-sent event streams.
 */
import { performance } from 'node:perf_hooks';
import { childLogger, isModelshipError, type Logger, type ModelRegistry } from '@modelship/core';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { auditBody, createAuditLog, type AuditLog } from '../audit/audit-log.js';
import { bearerTokens, type Authenticator, type BearerToken, type Principal } from '../auth/auth.js';
import { hasRole, type Role } from '../auth/roles.js';
import { toProblem } from '../http/http-error.js';
import { problem, type Problem } from '../http/problem.js';
import { requestIdOf } from '../http/request-id.js';
import { parseRequestPart } from '../http/validate.js';
import type { OpenApiRegistry } from '../openapi/registry.js';
import { ManagementError, MANAGEMENT_STATUS } from './errors.js';
import {
  managementHandlers,
  type HandlerInput,
  type ManagementController,
  type ManagementDeps,
  type ManagementEvent,
  type ManagementJobRunner,
  type ManagementPredictionQuery,
  type ManagementTrainingSpec,
} from './handlers.js';
import { managementOpenApiRoutes } from './openapi.js';
import { MANAGEMENT_ROUTES, requiredRole, type ManagementRouteId, type ManagementRouteSpec } from './routes.js';
import { EventHub, SseWriter } from './sse.js';

/** What a rate-limit hook sees of a request. */
export interface ManagementRateLimitRequest {
  /** The caller, when authenticated. */
  principal: Principal | undefined;
  /** The client address (`req.ip`). */
  ip: string;
  /** The route id. */
  route: string;
  /** The method. */
  method: string;
}

/** A rate-limit decision with a retry hint. */
export interface ManagementRateLimitDecision {
  /** Whether the request may go on. */
  allowed: boolean;
  /** Sent as `Retry-After` (seconds) on the 429. */
  retryAfterSeconds?: number;
}

/** A rate-limit verdict: `true` lets the request through; `false` or `{ allowed: false }` answers 429. */
export type ManagementRateLimitVerdict = boolean | ManagementRateLimitDecision;

/** Authentication of the management router: at least one way in, or `allowAnonymous: true`. */
export interface ManagementAuthOptions {
  /** Static bearer tokens (see `bearerTokens`). */
  tokens?: readonly BearerToken[];
  /** An authenticator (e.g. `createJwtAuthenticator`), asked after the tokens. */
  authorize?: Authenticator;
  /** Let requests without credentials in, as `anonymousRole`; default false. Credentials that are present are still checked. */
  allowAnonymous?: boolean;
  /** The role of an anonymous caller; default `'viewer'`. */
  anonymousRole?: Role;
}

/** Options of {@link createManagementRouter}. */
export interface ManagementRouterOptions {
  /** The registry (its store also holds the audit log). */
  registry: ModelRegistry;
  /** The lifecycle controller (`createController`); without it the controller routes are not mounted. */
  controller?: ManagementController;
  /** The training job runner (`createEmbeddedJobRunner`); without it the job routes are not mounted. */
  jobs?: ManagementJobRunner;
  /** The drift report of a model (`undefined`: 404); without it the drift route is not mounted. */
  drift?: (model: string) => unknown;
  /**
   * The prediction log's query API (`createPostgresPredictionQuery` or `createSqlitePredictionQuery` of
   * `@modelship/prediction-log-sql`); without it the prediction routes are not mounted.
   */
  predictions?: ManagementPredictionQuery;
  /** Authentication (required). */
  auth: ManagementAuthOptions;
  /** A pino-compatible logger; default silent. */
  logger?: Logger;
  /** The largest JSON body accepted (bytes or `'100kb'`); default `'1mb'`. */
  bodyLimit?: number | string;
  /** Asked for every request after authentication; refuse with 429. Default none. */
  rateLimit?: (request: ManagementRateLimitRequest) => ManagementRateLimitVerdict | Promise<ManagementRateLimitVerdict>;
  /** The aliases that need the `admin` role to move (keep equal to the registry's `protectedAliases`); default `['production']`. */
  protectedAliases?: readonly string[];
  /** Validates a training spec before submission (pass `validateTrainingSpec` of `@modelship/controller`); default: the runner validates. */
  validateSpec?: (spec: unknown) => ManagementTrainingSpec;
  /** The audit log; default `createAuditLog({ store: registry.store })`. */
  audit?: AuditLog;
  /** Events kept for `Last-Event-ID` resumption; default 1,000. */
  eventBufferSize?: number;
  /** Heartbeat comment interval of event streams, in ms; default 15,000. */
  heartbeatMs?: number;
  /** How often a job's log stream polls the job, in ms; default 500. */
  logPollMs?: number;
  /** Epoch ms now (audit records); default `Date.now`. */
  clock?: () => number;
  /** An OpenAPI registry to add the management operations to. */
  openapi?: OpenApiRegistry;
  /** The path the router is mounted at, for the OpenAPI paths; default `''`. */
  openapiPrefix?: string;
  /** Answer unknown paths under the router with a 404 (405 for a known path) problem; default true. */
  fallback?: boolean;
}

/** The management router: an Express router plus its route table and a `close()`. */
export type ManagementRouter = Router & {
  /** The routes mounted (those whose `requires` option was given). */
  readonly routes: readonly ManagementRouteSpec[];
  /** The event hub of the event stream. */
  readonly events: EventHub;
  /** Unsubscribes from the controller and ends every open event stream. */
  close(): Promise<void>;
};

const fn = z.custom<(...a: never[]) => unknown>((v) => typeof v === 'function', 'expected a function');
const withMethods = (what: string, ...methods: string[]) =>
  z.custom<object>(
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      methods.every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
    `expected ${what} (with ${methods.join(', ')})`,
  );
const roleZ = z.enum(['viewer', 'operator', 'admin']);
const optionsZ = z.strictObject({
  registry: withMethods('a ModelRegistry', 'listModels', 'getVersion', 'setAlias'),
  controller: withMethods('a Controller', 'approve', 'decisions', 'on', 'off').optional(),
  jobs: withMethods('a JobRunner', 'submit', 'get', 'list', 'cancel').optional(),
  drift: fn.optional(),
  predictions: withMethods('a prediction query API', 'recent', 'byRequestId', 'range').optional(),
  auth: z
    .strictObject({
      tokens: z.array(z.object({ token: z.string(), id: z.string(), role: roleZ })).optional(),
      authorize: fn.optional(),
      allowAnonymous: z.boolean().optional(),
      anonymousRole: roleZ.optional(),
    })
    .refine(
      (a) => a.allowAnonymous === true || a.authorize !== undefined || (a.tokens !== undefined && a.tokens.length > 0),
      'give an authorize hook or tokens, or allowAnonymous: true to run the management API without authentication',
    ),
  logger: z
    .custom<Logger>(
      (v) => typeof v === 'object' && v !== null && typeof (v as Logger).error === 'function',
      'expected a logger',
    )
    .optional(),
  bodyLimit: z.union([z.number().int().positive(), z.string().min(1)]).optional(),
  rateLimit: fn.optional(),
  protectedAliases: z.array(z.string().min(1)).optional(),
  validateSpec: fn.optional(),
  audit: withMethods('an AuditLog', 'append', 'list').optional(),
  eventBufferSize: z.number().int().positive().max(1_000_000).optional(),
  heartbeatMs: z.number().int().positive().optional(),
  logPollMs: z.number().int().positive().optional(),
  clock: fn.optional(),
  openapi: withMethods('an OpenApiRegistry', 'add').optional(),
  openapiPrefix: z.string().optional(),
  fallback: z.boolean().optional(),
});

function parseOptions(options: ManagementRouterOptions): void {
  const r = optionsZ.safeParse(options);
  if (r.success) return;
  const issue = r.error.issues[0]!;
  const field = issue.path.map(String).join('.') || 'options';
  throw new ManagementError('INVALID_OPTIONS', `createManagementRouter: ${field}: ${issue.message}`, {
    operation: 'createManagementRouter',
    details: { field },
  });
}

const JSON_TYPES = ['application/json', 'application/*+json'];

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? '0') > 0;
}

/** The problem of a thrown value, with its extra headers. */
function problemFor(err: unknown, instance: string): { p: Problem; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  if (isModelshipError(err, 'ManagementError') && MANAGEMENT_STATUS[err.code] !== undefined) {
    const status = MANAGEMENT_STATUS[err.code]!;
    const field = (err.details as { field?: unknown } | undefined)?.field;
    const p = problem(status, err.message, {
      instance,
      code: err.code,
      ...(typeof field === 'string' ? { field } : {}),
    });
    if (status === 401) headers['www-authenticate'] = 'Bearer';
    const retry = (err.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    if (status === 429 && typeof retry === 'number') headers['retry-after'] = String(Math.max(0, Math.ceil(retry)));
    return { p, headers };
  }
  const p = toProblem(err, instance);
  if (p.status === 413 && p.code === undefined) p.code = 'PAYLOAD_TOO_LARGE';
  if (p.status === 415 && p.code === undefined) p.code = 'UNSUPPORTED_MEDIA_TYPE';
  if (p.status === 409 && isModelshipError(err)) {
    const actual = (err.details as { actual?: unknown } | undefined)?.actual;
    if (actual !== undefined) p.current = actual;
  }
  return { p, headers };
}

/**
 * Creates the management API as an Express 5 router (mount it under a prefix, e.g. `/manage`):
 * models, versions, datasets, aliases, rollouts, training jobs, drift, alerts, the decision log
 * with replay, approvals, the event stream and the audit log. Every route needs a role
 * (`viewer` < `operator` < `admin`); every mutating call is audited in the registry's store.
 * Throws `ManagementError('INVALID_OPTIONS')` naming the field for a bad option — and naming
 * `auth` when no authentication is configured and `allowAnonymous` is not set.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { createManagementRouter, createJwtAuthenticator } from '@modelship/adapters-express';
 * import { createController, createEmbeddedJobRunner, validateTrainingSpec } from '@modelship/controller';
 *
 * const jobs = createEmbeddedJobRunner({ registry });
 * const controller = createController({ registry, outcomes, jobs, models: { iris: {} } }).start();
 * const manage = createManagementRouter({
 *   registry,
 *   controller,
 *   jobs,
 *   validateSpec: validateTrainingSpec,
 *   auth: {
 *     tokens: [{ token: process.env.OPS_TOKEN!, id: 'ops-bot', role: 'operator' }],
 *     authorize: createJwtAuthenticator({ jwksUrl: 'https://login.example.com/jwks.json', audience: 'modelship' }),
 *   },
 *   rateLimit: ({ principal, ip }) => limiter.allow(principal?.id ?? ip),
 * });
 * const app = express();
 * app.use('/manage', manage);
 * const server = app.listen(8080);
 * // on shutdown: await manage.close(); server.close();
 * ```
 */
export function createManagementRouter(options: ManagementRouterOptions): ManagementRouter {
  parseOptions(options);
  const o = options;
  const log = childLogger(o.logger, { component: 'management' });
  const clock = o.clock ?? Date.now;
  const protectedAliases = new Set(o.protectedAliases ?? ['production']);
  const hub = new EventHub(o.eventBufferSize ?? 1_000);
  const heartbeatMs = o.heartbeatMs ?? 15_000;
  const audit = o.audit ?? createAuditLog({ store: o.registry.store, clock });
  const deps: ManagementDeps = {
    registry: o.registry,
    controller: o.controller,
    jobs: o.jobs,
    drift: o.drift,
    predictions: o.predictions,
    validateSpec: o.validateSpec,
    audit,
    hub,
    logPollMs: o.logPollMs ?? 500,
  };
  const authenticators: Authenticator[] = [];
  if (o.auth.tokens && o.auth.tokens.length > 0)
    authenticators.push(bearerTokens(o.auth.tokens, { passJwt: o.auth.authorize !== undefined }));
  if (o.auth.authorize) authenticators.push(o.auth.authorize);
  const jsonParser = express.json({ limit: o.bodyLimit ?? '1mb', type: JSON_TYPES, strict: true });
  const streams = new Set<SseWriter>();

  const onEvent = (e: ManagementEvent): void => {
    hub.publish(e.type, e.model, e);
  };
  o.controller?.on('event', onEvent);

  const available = (r: ManagementRouteSpec): boolean =>
    r.requires === undefined ||
    (r.requires === 'controller'
      ? !!o.controller
      : r.requires === 'jobs'
        ? !!o.jobs
        : r.requires === 'predictions'
          ? !!o.predictions
          : !!o.drift);
  const routes: ManagementRouteSpec[] = MANAGEMENT_ROUTES.filter(available);

  async function authenticate(req: Request): Promise<Principal | undefined> {
    const ar = { headers: req.headers, method: req.method, path: req.path };
    for (const a of authenticators) {
      const p = await a(ar);
      if (p) return p;
    }
    if (req.headers.authorization !== undefined) {
      throw new ManagementError('UNAUTHORIZED', 'the credentials are not valid', { operation: 'authenticate' });
    }
    if (o.auth.allowAnonymous) return { id: 'anonymous', role: o.auth.anonymousRole ?? 'viewer' };
    return undefined;
  }

  function readBody(req: Request, res: Response): Promise<unknown> {
    if (!hasBody(req)) return Promise.resolve({});
    if (!req.is(JSON_TYPES)) {
      return Promise.reject(
        new ManagementError(
          'UNSUPPORTED_MEDIA_TYPE',
          `expected an application/json body, received ${req.headers['content-type'] ?? 'no content type'}`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      jsonParser(req, res, (err?: unknown) => (err ? reject(err) : resolve((req.body as unknown) ?? {})));
    });
  }

  async function handle(spec: ManagementRouteSpec, req: Request, res: Response): Promise<void> {
    const started = performance.now();
    const requestId = requestIdOf(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    res.locals.requestId = requestId;
    const path = req.originalUrl.split('?')[0] ?? req.path;
    let principal: Principal | undefined;
    let body: unknown;
    let bodyRead = false;

    const finish = async (
      status: number,
      payload: unknown,
      headers: Record<string, string>,
      problemDoc: boolean,
    ): Promise<void> => {
      if (spec.mutating) {
        try {
          await audit.append({
            actor: principal?.id ?? null,
            role: principal?.role ?? null,
            route: spec.id,
            method: req.method,
            path,
            params: { ...(req.params as Record<string, string>) },
            query: { ...(req.query as Record<string, unknown>) },
            ...(bodyRead ? { body: auditBody(body) } : {}),
            status,
            ...(problemDoc && typeof (payload as Problem).code === 'string'
              ? { code: (payload as Problem).code as string }
              : {}),
            requestId,
            durationMs: Math.round((performance.now() - started) * 1000) / 1000,
          });
        } catch (err) {
          log.error({ err, requestId, route: spec.id }, 'audit record write failed');
        }
      }
      if (res.headersSent) return;
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      res.status(status);
      res.setHeader('content-type', problemDoc ? 'application/problem+json' : 'application/json; charset=utf-8');
      res.end(JSON.stringify(payload));
    };

    try {
      let authErr: unknown;
      try {
        principal = await authenticate(req);
      } catch (err) {
        authErr = err;
      }
      if (o.rateLimit) {
        const v = await o.rateLimit({ principal, ip: req.ip ?? '', route: spec.id, method: req.method });
        const allowed = typeof v === 'boolean' ? v : v.allowed;
        if (!allowed) {
          const retry = typeof v === 'object' ? v.retryAfterSeconds : undefined;
          throw new ManagementError(
            'RATE_LIMITED',
            'too many requests',
            retry !== undefined ? { details: { retryAfterSeconds: retry } } : {},
          );
        }
      }
      if (authErr !== undefined) throw authErr;
      if (!principal)
        throw new ManagementError('UNAUTHORIZED', 'authentication required: send Authorization: Bearer <token>');
      const need = requiredRole(spec, req.params as Record<string, string>, protectedAliases);
      if (!hasRole(principal.role, need)) {
        throw new ManagementError(
          'FORBIDDEN',
          `${spec.id} needs the ${need} role; ${principal.id} has ${principal.role}`,
        );
      }
      if (spec.body) {
        body = await readBody(req, res);
        bodyRead = true;
      }
      const input = {
        params: spec.params ? parseRequestPart(spec.params, { ...req.params }, 'params') : {},
        query: spec.query ? parseRequestPart(spec.query, { ...(req.query as object) }, 'query') : {},
        body: spec.body ? parseRequestPart(spec.body, body, 'body') : {},
        principal,
        headers: req.headers,
      };
      const handler = managementHandlers[spec.id as ManagementRouteId] as (
        i: HandlerInput<ManagementRouteId>,
        d: ManagementDeps,
      ) => ReturnType<(typeof managementHandlers)[ManagementRouteId]>;
      const result = await handler(input as HandlerInput<ManagementRouteId>, deps);
      if (result.kind === 'stream') {
        const sse = new SseWriter(res, heartbeatMs);
        streams.add(sse);
        sse.onClose(() => streams.delete(sse));
        result.open(sse);
        return;
      }
      await finish(result.status ?? spec.status, result.body, {}, false);
    } catch (err) {
      const { p, headers } = problemFor(err, path);
      p.requestId = requestId;
      if (p.status >= 500 && p.status !== 503)
        log.error({ err, requestId, route: spec.id }, 'management request failed');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      await finish(p.status, p, headers, true);
    }
  }

  const router = express.Router();
  for (const spec of routes) {
    router[spec.method](spec.path, (req, res) => {
      handle(spec, req, res).catch((err: unknown) => {
        log.error({ err, route: spec.id }, 'management request failed after its answer');
        if (!res.writableEnded) res.destroy();
      });
    });
  }
  if (o.fallback !== false) {
    router.use((req, res) => {
      const requestId = requestIdOf(req.headers['x-request-id']);
      res.setHeader('x-request-id', requestId);
      const path = req.originalUrl.split('?')[0] ?? req.path;
      const allowed = routes.filter((r) => matches(r.path, req.path)).map((r) => r.method.toUpperCase());
      const status = allowed.length > 0 ? 405 : 404;
      if (status === 405) res.setHeader('allow', [...new Set(allowed)].join(', '));
      const p = problem(
        status,
        status === 405 ? `${req.method} is not allowed on ${path}` : `no management route ${req.method} ${path}`,
        {
          instance: path,
          requestId,
        },
      );
      res.status(status).setHeader('content-type', 'application/problem+json');
      res.end(JSON.stringify(p));
    });
  }
  if (o.openapi) for (const r of managementOpenApiRoutes(routes, o.openapiPrefix ?? '')) o.openapi.add(r);

  let closed = false;
  return Object.assign(router, {
    routes,
    events: hub,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      o.controller?.off('event', onEvent);
      for (const s of [...streams]) s.close();
    },
  });
}

function matches(pattern: string, path: string): boolean {
  const a = pattern.split('/');
  const b = path.replace(/\/+$/, '').split('/');
  return a.length === b.length && a.every((seg, i) => seg.startsWith(':') || seg === b[i]);
}
