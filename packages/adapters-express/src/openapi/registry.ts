/**
 * The OpenAPI 3.1 document of a service, built with zod-openapi 5 from the same zod schemas the
 * routes validate with. Every router (serving, management) adds its routes to one registry.
 */
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import type { HttpMethod, RouteDefinition } from '../http/route.js';
import { openApiPath } from '../http/route.js';

/** One documented operation: method, path (OpenAPI `{name}` or Express `:name` form) and operation. */
export interface OpenApiRoute {
  /** The method. */
  readonly method: HttpMethod;
  /** The path. */
  readonly path: string;
  /** The zod-openapi operation (request and response schemas as zod). */
  readonly operation: ZodOpenApiOperationObject;
}

/** Options of {@link createOpenApiRegistry}. */
export interface OpenApiRegistryOptions {
  /** The document's `info`. Default `{ title: 'modelship', version: '0.0.0' }`. */
  readonly info?: { readonly title: string; readonly version: string; readonly description?: string };
  /** The document's `servers`. */
  readonly servers?: readonly { readonly url: string; readonly description?: string }[];
}

/** Collects operations and builds the OpenAPI 3.1 document. Create with {@link createOpenApiRegistry}. */
export interface OpenApiRegistry {
  /** Adds one operation (a route added twice, same method and path, replaces the first). */
  add(route: OpenApiRoute): void;
  /** Adds framework-free route definitions (their body, params and query schemas merged into the operation). */
  addRoutes(routes: readonly RouteDefinition[], prefix?: string): void;
  /** The operations added so far, in order. */
  readonly routes: readonly OpenApiRoute[];
  /** The OpenAPI 3.1 document (JSON-ready). */
  document(): Record<string, unknown>;
}

/** The zod-openapi operation of a route definition (its request schemas merged in). */
export function operationOf(route: RouteDefinition): ZodOpenApiOperationObject {
  const op: ZodOpenApiOperationObject = { ...route.openapi };
  const requestParams: Record<string, unknown> = { ...(op.requestParams ?? {}) };
  if (route.params && requestParams.path === undefined) requestParams.path = route.params;
  if (route.query && requestParams.query === undefined) requestParams.query = route.query;
  if (Object.keys(requestParams).length > 0)
    op.requestParams = requestParams as NonNullable<ZodOpenApiOperationObject['requestParams']>;
  if (route.body?.schema && op.requestBody === undefined)
    op.requestBody = { required: true, content: { 'application/json': { schema: route.body.schema } } };
  return op;
}

/**
 * Creates an OpenAPI registry. Routers add their operations; `document()` renders OpenAPI 3.1.
 *
 * @example
 * ```ts
 * const openapi = createOpenApiRegistry({ info: { title: 'house prices', version: '1.0.0' } });
 * const serving = createServingRouter({ routers: { houses: router }, registry, openapi });
 * openapi.add({ method: 'get', path: '/admin/models', operation: { operationId: 'listModels', responses: { '200': { description: 'ok' } } } });
 * app.get('/openapi.json', (_req, res) => res.json(openapi.document()));
 * ```
 */
export function createOpenApiRegistry(options: OpenApiRegistryOptions = {}): OpenApiRegistry {
  const routes: OpenApiRoute[] = [];
  const add = (route: OpenApiRoute): void => {
    const path = openApiPath(route.path);
    const i = routes.findIndex((r) => r.method === route.method && openApiPath(r.path) === path);
    const entry = { ...route, path };
    if (i >= 0) routes[i] = entry;
    else routes.push(entry);
  };
  return {
    add,
    addRoutes(defs, prefix = '') {
      for (const d of defs) add({ method: d.method, path: `${prefix}${d.path}`, operation: operationOf(d) });
    },
    routes,
    document() {
      const paths: ZodOpenApiPathsObject = {};
      for (const r of routes) {
        const item = (paths[r.path] ??= {}) as Record<string, ZodOpenApiOperationObject>;
        item[r.method] = r.operation;
      }
      return createDocument({
        openapi: '3.1.0',
        info: { title: 'modelship', version: '0.0.0', ...(options.info ?? {}) },
        ...(options.servers ? { servers: options.servers.map((s) => ({ ...s })) } : {}),
        paths,
      }) as unknown as Record<string, unknown>;
    },
  };
}
