/**
 * The Express adapter of the framework-free routes: content-type checks (415), body parsers with
 * per-route limits (413), zod validation (400), the handler, and problem+json for every error.
 */
import express, {
  type ErrorRequestHandler,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import type { Logger } from '@modelship/core';
import { HttpError, toProblem } from './http-error.js';
import { expressPath, type RouteDefinition, type RouteRequest, type RouteResponse } from './route.js';
import { parseRequestPart } from './validate.js';

/** The problem+json content type. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const JSON_TYPES = ['application/json', '*+json'];

/** The media type of a request without parameters, lower case (`''` when absent). */
export function mediaTypeOf(header: string | undefined): string {
  if (header === undefined) return '';
  const i = header.indexOf(';');
  return (i < 0 ? header : header.slice(0, i)).trim().toLowerCase();
}

function accepts(list: readonly string[], type: string): boolean {
  for (const t of list) {
    if (t === '*' || t === type) return true;
    if (t.startsWith('*+') && type.endsWith(t.slice(1)) && type !== '') return true;
  }
  return false;
}

/** The request id Express middleware set on `res.locals`. */
function requestIdOfRes(res: Response): string {
  return (res.locals.requestId as string | undefined) ?? '';
}

/** Sends a handler's answer. */
export function sendRouteResponse(res: Response, r: RouteResponse): void {
  res.status(r.status);
  if (r.headers) for (const k in r.headers) res.setHeader(k, r.headers[k]!);
  if (r.json !== undefined) {
    res.setHeader('content-type', r.contentType ?? 'application/json; charset=utf-8');
    res.end(JSON.stringify(r.json));
  } else if (r.bytes !== undefined) {
    res.setHeader('content-type', r.contentType ?? 'application/octet-stream');
    res.end(r.bytes);
  } else if (r.text !== undefined) {
    res.setHeader('content-type', r.contentType ?? 'text/plain; charset=utf-8');
    res.end(r.text);
  } else res.end();
}

/** Sends the problem document of `err` (never a stack trace); logs a 5xx at error level. */
export function sendProblem(req: Request, res: Response, err: unknown, logger?: Logger): void {
  const p = toProblem(err, req.path);
  const requestId = requestIdOfRes(res);
  if (requestId !== '') p.requestId = requestId;
  if (p.status >= 500 && p.status !== 503) logger?.error({ err, requestId, path: req.path }, 'request failed');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof HttpError) for (const k in err.headers) res.setHeader(k, err.headers[k]!);
  res.status(p.status);
  res.setHeader('content-type', PROBLEM_CONTENT_TYPE);
  res.end(JSON.stringify(p));
}

/** Options of {@link mountRoutes}. */
export interface MountOptions {
  /** Where 5xx errors are logged. */
  readonly logger?: Logger;
  /** Runs before each route's body is parsed (e.g. the rate-limit hook); throw or call `next(err)` to refuse. */
  readonly before?: RequestHandler;
}

function toRouteRequest(req: Request, res: Response, route: RouteDefinition): RouteRequest {
  const params = route.params ? parseRequestPart(route.params, req.params, 'path') : req.params;
  const query = route.query ? parseRequestPart(route.query, req.query, 'query') : req.query;
  let body: unknown = req.body;
  if (route.body?.kind === 'json' && route.body.schema) body = parseRequestPart(route.body.schema, body, 'body');
  return {
    method: req.method,
    path: req.path,
    params: params as Record<string, string>,
    query: query as Record<string, unknown>,
    headers: req.headers,
    body,
    contentType: mediaTypeOf(req.headers['content-type']),
    requestId: requestIdOfRes(res),
  };
}

function parserOf(route: RouteDefinition): RequestHandler | undefined {
  const b = route.body;
  if (!b) return undefined;
  const type = (): boolean => true; // the content type was checked before
  if (b.kind === 'json') return express.json({ limit: b.limit, type, strict: false });
  if (b.kind === 'text') return express.text({ limit: b.limit, type, defaultCharset: 'utf-8' });
  return express.raw({ limit: b.limit, type });
}

/** Mounts `routes` on an Express router (content type → limit → validation → handler). */
export function mountRoutes(
  router: express.Router,
  routes: readonly RouteDefinition[],
  options: MountOptions = {},
): void {
  for (const route of routes) {
    const accept = route.body?.accept ?? JSON_TYPES;
    const handlers: RequestHandler[] = [];
    if (options.before) handlers.push(options.before);
    if (route.body) {
      handlers.push((req: Request, _res: Response, next: NextFunction) => {
        const type = mediaTypeOf(req.headers['content-type']);
        const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
        if (hasBody && !accepts(accept, type))
          return next(
            new HttpError(
              415,
              `content type '${type || '(none)'}' is not accepted here; send ${accept.filter((a) => a !== '').join(' or ')}`,
              {
                accepted: accept.filter((a) => a !== '*' && a !== ''),
              },
            ),
          );
        next();
      });
      handlers.push(parserOf(route)!);
    }
    handlers.push((req: Request, res: Response, next: NextFunction) => {
      let out: RouteResponse | Promise<RouteResponse>;
      try {
        out = route.handler(toRouteRequest(req, res, route));
      } catch (err) {
        return next(err);
      }
      if (out instanceof Promise) out.then((r) => sendRouteResponse(res, r), next);
      else sendRouteResponse(res, out);
    });
    router[route.method](expressPath(route.path), ...handlers);
  }
}

/**
 * The last handlers of a router: 405 (with `Allow`) for a known path and another method, 404 for
 * an unknown path, and problem+json for every error.
 */
export function problemHandlers(
  routes: readonly RouteDefinition[],
  logger?: Logger,
): [RequestHandler, ErrorRequestHandler] {
  const patterns = routes.map((r) => ({
    method: r.method.toUpperCase(),
    re: new RegExp(
      `^${r.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[A-Za-z_][A-Za-z0-9_]*\\?\}/g, '[^/]+')}/?$`,
    ),
  }));
  const notFound: RequestHandler = (req, _res, next) => {
    const allow = new Set<string>();
    for (const p of patterns) if (p.re.test(req.path)) allow.add(p.method);
    if (allow.has('GET')) allow.add('HEAD');
    if (allow.size > 0)
      return next(
        new HttpError(
          405,
          `method ${req.method} is not allowed on ${req.path}; allowed: ${[...allow].join(', ')}`,
          {},
          { allow: [...allow].join(', ') },
        ),
      );
    next(new HttpError(404, `no route ${req.method} ${req.path}`));
  };
  const onError: ErrorRequestHandler = (err, req, res, _next) => sendProblem(req, res, err, logger);
  return [notFound, onError];
}
