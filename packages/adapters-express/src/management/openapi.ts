/** The management routes as OpenAPI operations (zod-openapi 5), from the route table. */
import type { ZodOpenApiOperationObject } from 'zod-openapi';
import type { OpenApiRoute } from '../openapi/registry.js';
import { problemResponses } from '../openapi/schemas.js';
import { openApiPath, type ManagementRouteSpec } from './routes.js';

/** The OpenAPI operations of the given management routes, their paths under `prefix`. */
export function managementOpenApiRoutes(routes: readonly ManagementRouteSpec[], prefix = ''): OpenApiRoute[] {
  return routes.map((r) => {
    const requestParams: Record<string, unknown> = {};
    if (r.params) requestParams.path = r.params;
    if (r.query) requestParams.query = r.query;
    const statuses = [400, 401, 403, 404, 429, 500];
    if (r.mutating) statuses.push(409, 413, 415, 422);
    const op: ZodOpenApiOperationObject = {
      operationId: r.id,
      summary: r.summary,
      tags: [r.tag],
      description: `Role: ${r.role}${r.protectedRole ? ` (${r.protectedRole.role} for a protected alias)` : ''}.${r.mutating ? ' Audited.' : ''}`,
      security: [{ bearer: [] }],
      responses: {
        [String(r.status)]: {
          description: r.summary,
          content: { [r.stream ? 'text/event-stream' : 'application/json']: { schema: r.response } },
        },
        ...problemResponses(...statuses.sort((a, b) => a - b)),
      },
    };
    if (Object.keys(requestParams).length > 0)
      op.requestParams = requestParams as NonNullable<ZodOpenApiOperationObject['requestParams']>;
    if (r.body) op.requestBody = { required: false, content: { 'application/json': { schema: r.body } } };
    return { method: r.method, path: `${prefix}${openApiPath(r.path)}`, operation: op };
  });
}
