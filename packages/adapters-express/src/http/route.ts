/**
 * Framework-free routes: a handler over a plain request, with its zod schemas, which both the
 * Express adapter ({@link mountRoutes}) and the OpenAPI builder read.
 */
import type { ZodOpenApiOperationObject } from 'zod-openapi';
import type { z } from 'zod';

/** An HTTP method a route answers. */
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** What a handler receives: the parts of an HTTP request, already parsed and validated. */
export interface RouteRequest {
  /** The method, upper case. */
  readonly method: string;
  /** The request path (no query string). */
  readonly path: string;
  /** Path parameters by name (validated by the route's `params` schema when it has one). */
  readonly params: Readonly<Record<string, string>>;
  /** The query string (validated by the route's `query` schema when it has one). */
  readonly query: Readonly<Record<string, unknown>>;
  /** Request headers, lower-case names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body: parsed JSON (validated by the route's `body.schema`), a string (text) or bytes (raw). */
  readonly body: unknown;
  /** The `Content-Type` without parameters, lower case (`''` when absent). */
  readonly contentType: string;
  /** The request id (`x-request-id`, echoed or generated). */
  readonly requestId: string;
}

/** What a handler answers: a status and one of `json`, `text` or `bytes`. */
export interface RouteResponse {
  /** The HTTP status. */
  readonly status: number;
  /** Extra response headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** A JSON body. */
  readonly json?: unknown;
  /** A text body. */
  readonly text?: string;
  /** A binary body. */
  readonly bytes?: Uint8Array;
  /** The content type (default `application/json` for `json`, `text/plain` for `text`, `application/octet-stream` for `bytes`). */
  readonly contentType?: string;
}

/** How a route reads its body. */
export interface RouteBody {
  /** `json` (JSON only), `raw` (bytes, any type the handler accepts), `text` (a string). */
  readonly kind: 'json' | 'raw' | 'text';
  /** The body size limit (bytes or an Express size string like `'100kb'`). */
  readonly limit: number | string;
  /** Content types accepted (lower case, no parameters; `'*'` accepts any, `''` an absent one). Default `application/json` and `*+json`. */
  readonly accept?: readonly string[];
  /** The zod schema of a JSON body (validated before the handler runs; 400 with the field path). */
  readonly schema?: z.ZodType;
}

/** A framework-free route: method, path, schemas, OpenAPI description and handler. */
export interface RouteDefinition {
  /** The method. */
  readonly method: HttpMethod;
  /** The path in OpenAPI form (`/models/{name}`); optional segments are separate routes. */
  readonly path: string;
  /** The body, for methods that take one. */
  readonly body?: RouteBody;
  /** The zod schema of the path parameters. */
  readonly params?: z.ZodType;
  /** The zod schema of the query string. */
  readonly query?: z.ZodType;
  /** The OpenAPI operation (zod-openapi 5 form); request schemas above are merged into it. */
  readonly openapi: ZodOpenApiOperationObject;
  /** Answers the request; throw an `HttpError` or a modelship error for a problem response. */
  handler(request: RouteRequest): RouteResponse | Promise<RouteResponse>;
}

/** `/models/{name}` → `/models/:name` (Express 5 path syntax). */
export function expressPath(path: string): string {
  return path.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, ':$1');
}

/** `/models/:name` → `/models/{name}` (OpenAPI path syntax). */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}
