/**
 * `@modelship/dashboard`: a page where a person watches and steers every rollout — plain ES
 * modules and uPlot charts served by an Express router, talking to the management API with the
 * bearer token the person enters, kept live by the management event stream.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';

/** Options of {@link createDashboardRouter}. */
export interface DashboardRouterOptions {
  /**
   * Where the management router is mounted, as the page's `fetch` sees it (a path on the same
   * origin, e.g. `/manage`, or an absolute URL allowed by the page's Content-Security-Policy).
   * Default `'/manage'`.
   */
  readonly managementPath?: string;
  /**
   * Where the serving router is mounted (the page reads `<servingPath>/metrics.json`), or `null`
   * when the page should not read serving metrics. Default `''` (the origin's root).
   */
  readonly servingPath?: string | null;
  /** The page title. Default `'modelship'`. */
  readonly title?: string;
  /** `Cache-Control` max-age of the static files, in seconds. Default `0` (revalidate). */
  readonly maxAgeSeconds?: number;
}

/** The configuration document the page reads from `config.json`. */
export interface DashboardConfig {
  /** Where the management API is mounted. */
  readonly managementPath: string;
  /** Where the serving router is mounted, or `null`. */
  readonly servingPath: string | null;
  /** The page title. */
  readonly title: string;
}

function fail(field: string, message: string): never {
  throw new TypeError(`createDashboardRouter: ${field}: ${message}`);
}

function trimSlash(p: string): string {
  return p.replace(/\/+$/, '');
}

/**
 * Creates the dashboard as an Express router: mount it at `/dashboard`. It serves the page
 * (`index.html`, the ES modules and the stylesheet of this package's `public/` folder), uPlot's
 * ESM build and CSS under `vendor/`, and `config.json` telling the page where the management API
 * (and the serving router's `/metrics.json`) are mounted. The page has no inline script, style
 * or event handler, so it works under helmet's default Content-Security-Policy; it stores the
 * bearer token the person enters in `sessionStorage` and shows the buttons the token's role
 * (`GET /whoami`) allows. Throws a `TypeError` naming the field for a bad option.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import helmet from 'helmet';
 * import { createManagementRouter, createServingRouter } from '@modelship/adapters-express';
 * import { createDashboardRouter } from '@modelship/dashboard';
 *
 * const app = express();
 * app.use(helmet());
 * app.use('/manage', createManagementRouter({ registry, controller, auth: { tokens } }));
 * app.use('/dashboard', createDashboardRouter({ managementPath: '/manage' }));
 * app.use(createServingRouter({ router, registry, helmet: false }));
 * app.listen(8080); // open http://localhost:8080/dashboard/
 * ```
 */
export function createDashboardRouter(options: DashboardRouterOptions = {}): Router {
  if (typeof options !== 'object' || options === null) fail('options', 'expected an object');
  const managementPath = options.managementPath ?? '/manage';
  if (typeof managementPath !== 'string' || managementPath.length === 0)
    fail('managementPath', 'expected a non-empty string');
  const servingPath = options.servingPath === undefined ? '' : options.servingPath;
  if (servingPath !== null && typeof servingPath !== 'string') fail('servingPath', 'expected a string or null');
  const title = options.title ?? 'modelship';
  if (typeof title !== 'string') fail('title', 'expected a string');
  const maxAge = options.maxAgeSeconds ?? 0;
  if (!Number.isInteger(maxAge) || maxAge < 0) fail('maxAgeSeconds', 'expected a non-negative integer');

  const here = dirname(fileURLToPath(import.meta.url));
  const publicDir = join(here, '..', 'public');
  const uplotDir = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.esm.js'));
  const config: DashboardConfig = {
    managementPath: trimSlash(managementPath),
    servingPath: servingPath === null ? null : trimSlash(servingPath),
    title,
  };
  const body = JSON.stringify(config);
  const cache = maxAge > 0 ? `public, max-age=${maxAge}` : 'no-cache';

  const router = express.Router();
  router.get('/config.json', (_req, res) => {
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.end(body);
  });
  const vendor: Record<string, string> = {
    '/vendor/uPlot.esm.js': 'uPlot.esm.js',
    '/vendor/uPlot.min.css': 'uPlot.min.css',
  };
  for (const [path, file] of Object.entries(vendor)) {
    router.get(path, (_req, res, next) => {
      res.setHeader('cache-control', cache);
      res.sendFile(file, { root: uplotDir }, (err) => {
        if (err) next(err);
      });
    });
  }
  router.use(
    express.static(publicDir, {
      index: 'index.html',
      fallthrough: true,
      setHeaders: (res) => res.setHeader('cache-control', cache),
    }),
  );
  return router;
}
