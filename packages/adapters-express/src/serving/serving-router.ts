/**
 * `createServingRouter`: the serving side of the HTTP service as one Express router over the
 * framework-free handlers — request ids, helmet's headers, access logs, the rate-limit hook,
 * body limits, the routes, and RFC 9457 problems for every error.
 */
import type { Logger } from '@modelship/core';
import type { ModelRouter } from '@modelship/router';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import type { Registry as PromRegistry } from 'prom-client';
import { mountRoutes, problemHandlers } from '../http/express-adapter.js';
import { accessLogOf } from '../http/access-log.js';
import { HttpError } from '../http/http-error.js';
import { REQUEST_ID_HEADER, requestIdOf } from '../http/request-id.js';
import type { RouteDefinition } from '../http/route.js';
import { createOpenApiRegistry, type OpenApiRegistry } from '../openapi/registry.js';
import { mlflowRoutes, type ServingContext, servingRoutes, v2Routes } from './handlers.js';
import type { BusinessRule } from './rules.js';
import { ServedModel, type ServingRegistry } from './served-models.js';

/** What the rate-limit hook is told of a request. */
export interface RateLimitRequest {
  /** The client address. */
  readonly ip: string | undefined;
  /** The method. */
  readonly method: string;
  /** The path. */
  readonly path: string;
  /** The request headers. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** The hook's answer: `true`/`undefined` lets the request through; `false` or `{ retryAfterSeconds }` refuses it (429). */
export type RateLimitVerdict = boolean | undefined | { readonly retryAfterSeconds?: number };

/** A rate-limit hook (synchronous or not), asked before a serving route parses its body. */
export type RateLimitHook = (request: RateLimitRequest) => RateLimitVerdict | Promise<RateLimitVerdict>;

/** helmet's response headers under its default options, read once from a recording response. */
function helmetHeaders(): [string, string][] {
  const headers: [string, string][] = [];
  const recorder = {
    setHeader(name: string, value: unknown) {
      headers.push([name, String(value)]);
    },
    removeHeader() {},
  };
  helmet()({ headers: {} } as never, recorder as never, () => {});
  return headers;
}

/** The JSON Schema of one input row of a served version (from its artifact's schema). */
function rowSchemaOf(facts: NonNullable<ServedModel['current']>): Record<string, unknown> {
  const properties: Record<string, Record<string, unknown>> = {};
  const required: string[] = [];
  for (const name of facts.inputColumns) {
    const c = facts.schema.columns[name]!;
    const p: Record<string, unknown> =
      c.type === 'numeric' ? { type: c.integer ? 'integer' : 'number' } : { type: 'string' };
    if (c.min !== undefined) p.minimum = c.min;
    if (c.max !== undefined) p.maximum = c.max;
    if (c.categories) p.enum = [...c.categories];
    if (c.required === false) p.type = [p.type, 'null'];
    else required.push(name);
    properties[name] = p;
  }
  return {
    type: 'object',
    description: `An input row of version ${facts.version} (the production version when this document was rendered).`,
    properties,
    required,
  };
}

/**
 * Adds each served model's row schema to the document: `components.schemas["<model>.row"]` and
 * `["<model>.predictRequest"]` (`{ model, row }` or `{ model, rows }`), and offers those requests
 * beside the generic body of `POST /predict` (`anyOf`), so a client generator gets typed rows.
 */
function withModelRowSchemas(doc: Record<string, unknown>, models: Iterable<ServedModel>): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  const refs: Record<string, unknown>[] = [];
  for (const m of models) {
    const facts = m.current;
    if (!facts) continue;
    const row = `${m.name}.row`;
    schemas[row] = rowSchemaOf(facts);
    schemas[`${m.name}.predictRequest`] = {
      type: 'object',
      properties: {
        model: { const: m.name },
        row: { $ref: `#/components/schemas/${row}` },
        rows: { type: 'array', items: { $ref: `#/components/schemas/${row}` } },
        unit: { type: 'string' },
        explain: { type: 'boolean' },
      },
      required: ['model'],
    };
    refs.push({ $ref: `#/components/schemas/${m.name}.predictRequest` });
  }
  if (refs.length === 0) return doc;
  const components = { ...((doc.components as Record<string, unknown> | undefined) ?? {}) };
  components.schemas = { ...((components.schemas as Record<string, unknown> | undefined) ?? {}), ...schemas };
  const out: Record<string, unknown> = { ...doc, components };
  const paths = doc.paths as Record<
    string,
    Record<string, { requestBody?: { content?: Record<string, { schema?: unknown }> } }>
  >;
  const body = paths['/predict']?.post?.requestBody?.content?.['application/json'];
  if (body?.schema) body.schema = { anyOf: [body.schema, ...refs] };
  return out;
}

/** Options of {@link createServingRouter}. */
export interface ServingRouterOptions {
  /** One model's router (its name is `router.model`). */
  readonly router?: ModelRouter;
  /** Several routers by model name (with or instead of `router`). */
  readonly routers?: Readonly<Record<string, ModelRouter>>;
  /** The model used when a request names none. Default: `router`'s, else the first of `routers`. */
  readonly defaultModel?: string;
  /** The registry the routers follow (core's `ModelRegistry`): schemas, metrics, lineage. */
  readonly registry: ServingRegistry;
  /** The prom-client registry `GET /metrics` renders (give the routers the same one). */
  readonly metrics?: PromRegistry;
  /**
   * A pino logger for access logs and 5xx errors. Default none (no access log). Each request is
   * logged once it ends — `info` for 2xx/3xx, `warn` for 4xx, `error` for 5xx and `warn` for a
   * client that went away first — with `{ reqId, req: { method, url }, res: { statusCode },
   * responseTime }`; nothing is built for a level the logger does not write (`isLevelEnabled`).
   */
  readonly logger?: Logger;
  /** Business rules per model name (→ 422 naming the field). */
  readonly rules?: Readonly<Record<string, BusinessRule | readonly BusinessRule[]>>;
  /** Asked before each serving route's body is read (→ 429). */
  readonly rateLimit?: RateLimitHook;
  /** Body limit of `/predict` and `/feedback`. Default `'64kb'`. */
  readonly bodyLimit?: number | string;
  /** Body limit of `/predict/batch`, V2 infer and `/invocations`. Default `'8mb'`. */
  readonly batchBodyLimit?: number | string;
  /** Rows at most per request. Default 10,000. */
  readonly maxBatchRows?: number;
  /** The unit-key header. Default `x-unit-key`. */
  readonly unitHeader?: string;
  /** The Open Inference Protocol V2 routes. Default `true`. */
  readonly v2?: boolean;
  /** MLflow scoring (`/invocations`, `/ping`, `/version`), opt-in: `true` (default model) or `{ model }`. */
  readonly mlflow?: boolean | { readonly model: string };
  /** The OpenAPI registry to add the routes to (shared with the management router). Default a new one. */
  readonly openapi?: OpenApiRegistry;
  /** Serve `GET /openapi.json`. Default `true`. */
  readonly serveOpenApi?: boolean;
  /** helmet's security headers. Default `true`. */
  readonly helmet?: boolean;
  /** The version string of `/v2` and `/version`. Default `'0.0.0'`. */
  readonly version?: string;
}

/** The serving router: an Express router plus readiness, drain and close. */
export interface ServingRouter extends express.Router {
  /** The OpenAPI registry the routes were added to. */
  readonly openapi: OpenApiRegistry;
  /** The framework-free routes (for another adapter). */
  readonly routes: readonly RouteDefinition[];
  /** Served models by name. */
  readonly models: ReadonlyMap<string, ServedModel>;
  /** Requests being answered now. */
  readonly inFlight: number;
  /** Resolves once every router is ready and the schemas of its versions are read. */
  ready(): Promise<void>;
  /** Marks the service as draining: `/ready` answers 503, responses ask to close the connection. */
  drain(): void;
  /** Drains and closes every router. */
  close(): Promise<void>;
}

function fail(field: string, message: string): never {
  throw new HttpError(500, `createServingRouter: ${field}: ${message}`);
}

/**
 * Creates the serving router: `POST /predict`, `/predict/batch`, `/feedback`, `GET /health`,
 * `/ready`, `/models/{name}`, `/metrics`, `/metrics.json`, the V2 routes under `/v2`, MLflow's
 * `/invocations` (opt-in) and `/openapi.json`. Every 4xx and 5xx is `application/problem+json`.
 *
 * @example
 * ```ts
 * const metrics = new Registry();
 * const router = createModelRouter({ registry, model: 'houses', hmacKey: process.env.HMAC_KEY!, metrics });
 * const serving = createServingRouter({
 *   router,
 *   registry,
 *   metrics,
 *   logger: pino(),
 *   rules: { houses: (row) => ((row.rooms as number) < (row.bedrooms as number) ? { field: 'rooms', message: 'rooms >= bedrooms' } : undefined) },
 *   mlflow: true,
 * });
 * const app = express();
 * app.use(serving);
 * const server = app.listen(8080);
 * await serving.ready();
 * process.on('SIGTERM', () => void closeGracefully(server, { routers: [serving] }));
 * ```
 */
export function createServingRouter(options: ServingRouterOptions): ServingRouter {
  if (typeof options !== 'object' || options === null) fail('options', 'expected an object');
  const routers: Record<string, ModelRouter> = {};
  if (options.router) routers[options.router.model] = options.router;
  for (const [name, r] of Object.entries(options.routers ?? {})) routers[name] = r;
  const names = Object.keys(routers);
  if (names.length === 0) fail('router', 'give a router or routers');
  const registry = options.registry;
  if (!registry || typeof registry.load !== 'function')
    fail('registry', 'expected the model registry (load, getRollout)');
  const models = new Map<string, ServedModel>();
  for (const name of names) models.set(name, new ServedModel(name, routers[name]!, registry, options.logger));
  const defaultModel = options.defaultModel ?? options.router?.model ?? names[0]!;
  if (!models.has(defaultModel)) fail('defaultModel', `"${defaultModel}" is not served`);
  const rules: Record<string, readonly BusinessRule[]> = {};
  for (const [name, r] of Object.entries(options.rules ?? {})) {
    const list = typeof r === 'function' ? [r] : [...(r as readonly BusinessRule[])];
    if (!list.every((f) => typeof f === 'function'))
      fail(`rules.${name}`, 'expected a function or an array of functions');
    rules[name] = list;
  }
  let draining = false;
  let inFlight = 0;
  const ctx: ServingContext = {
    models,
    defaultModel,
    rules,
    metrics: options.metrics,
    unitHeader: (options.unitHeader ?? 'x-unit-key').toLowerCase(),
    maxBatchRows: options.maxBatchRows ?? 10_000,
    bodyLimit: options.bodyLimit ?? '64kb',
    batchBodyLimit: options.batchBodyLimit ?? '8mb',
    draining: () => draining,
    version: options.version ?? '0.0.0',
  };
  const routes: RouteDefinition[] = [...servingRoutes(ctx)];
  if (options.v2 !== false) routes.push(...v2Routes(ctx));
  if (options.mlflow) {
    const model = typeof options.mlflow === 'object' ? options.mlflow.model : defaultModel;
    if (!models.has(model)) fail('mlflow.model', `"${model}" is not served`);
    routes.push(...mlflowRoutes(ctx, model));
  }
  const openapi = options.openapi ?? createOpenApiRegistry();
  openapi.addRoutes(routes);
  const docRoute: RouteDefinition = {
    method: 'get',
    path: '/openapi.json',
    openapi: {
      operationId: 'openapi',
      summary: 'This OpenAPI 3.1 document',
      tags: ['meta'],
      responses: { '200': { description: 'The document.' } },
    },
    handler: () => {
      // re-rendered when a served production version changes (its row schema may differ)
      const key = [...models.values()].map((m) => `${m.name}@${m.current?.version ?? '-'}`).join(',');
      if (doc === undefined || key !== docKey) {
        doc = withModelRowSchemas(openapi.document(), models.values());
        docKey = key;
      }
      return { status: 200, json: doc };
    },
  };
  let doc: Record<string, unknown> | undefined;
  let docKey = '';
  if (options.serveOpenApi !== false) {
    routes.push(docRoute);
    openapi.addRoutes([docRoute]);
  }

  const router = express.Router() as unknown as ServingRouter;
  // helmet's headers are the same on every response (its default options, no nonce): computed once
  // and set in the one middleware that also stamps the request id and counts requests in flight.
  const securityHeaders = options.helmet !== false ? helmetHeaders() : [];
  const accessLog = options.logger ? accessLogOf(options.logger) : undefined;
  router.use((req: Request, res: Response, next: NextFunction) => {
    const id = requestIdOf(req.headers[REQUEST_ID_HEADER]);
    res.locals.requestId = id;
    res.setHeader(REQUEST_ID_HEADER, id);
    for (let i = 0; i < securityHeaders.length; i++) res.setHeader(securityHeaders[i]![0], securityHeaders[i]![1]);
    if (securityHeaders.length > 0) res.removeHeader('x-powered-by');
    if (draining) res.setHeader('connection', 'close');
    inFlight++;
    const started = accessLog ? performance.now() : 0;
    res.once('close', () => {
      inFlight--;
      accessLog?.(req, res, id, started);
    });
    next();
  });
  const hook = options.rateLimit;
  const before: RequestHandler | undefined = hook
    ? (req, _res, next) => {
        const refuse = (v: RateLimitVerdict): void => {
          if (v === undefined || v === true) {
            next();
            return;
          }
          const retry =
            typeof v === 'object' && v.retryAfterSeconds !== undefined
              ? Math.max(0, Math.ceil(v.retryAfterSeconds))
              : undefined;
          next(
            new HttpError(
              429,
              'rate limit exceeded',
              { code: 'RATE_LIMITED' },
              retry !== undefined ? { 'retry-after': String(retry) } : {},
            ),
          );
        };
        let v: RateLimitVerdict | Promise<RateLimitVerdict>;
        try {
          v = hook({ ip: req.ip, method: req.method, path: req.path, headers: req.headers });
        } catch (err) {
          return next(err);
        }
        if (v instanceof Promise) v.then(refuse, next);
        else refuse(v);
      }
    : undefined;
  mountRoutes(router, routes, { ...(options.logger ? { logger: options.logger } : {}), ...(before ? { before } : {}) });
  const [notFound, onError] = problemHandlers(routes, options.logger);
  router.use(notFound);
  router.use(onError);

  Object.defineProperties(router, {
    openapi: { value: openapi },
    routes: { value: routes },
    models: { value: models },
    inFlight: { get: () => inFlight },
  });
  router.ready = async () => {
    await Promise.all(
      [...models.values()].map(async (m) => {
        await m.router.ready();
        await m.prefetch();
      }),
    );
    doc = undefined;
  };
  router.drain = () => {
    draining = true;
  };
  router.close = async () => {
    draining = true;
    await Promise.all([...models.values()].map((m) => m.router.close()));
  };
  return router;
}
