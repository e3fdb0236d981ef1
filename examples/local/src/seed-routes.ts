/**
 * The seed projects' endpoints, mounted in front of the serving router of the local app (issue
 * #15): the Bangalore house-price API under `/api` (the original Flask app's routes, with form
 * fields) and its page at `/bangalore/`, California's `GET /model/info`, and Iris's
 * `POST /reload`. Each route is a thin layer over the model routers, the registry and the
 * serving router's facts; every error is the adapter's `application/problem+json`.
 */
import { join } from 'node:path';
import { httpError, sendProblem } from '@modelship/adapters-express';
import { decodeArtifact, type ModelArtifact, type ModelRegistry } from '@modelship/core';
import { californiaSchema } from '@modelship/datasets';
import type { ModelRouter } from '@modelship/router';
import express, { type NextFunction, type Request, type Response } from 'express';

/** The folder of the Bangalore page (`examples/local/public/bangalore`). */
export const BANGALORE_PUBLIC_DIR = join(import.meta.dirname, '..', 'public', 'bangalore');

/** Options of {@link createSeedRoutes}. */
export interface SeedRoutesOptions {
  /** The registry the routers follow. */
  registry: ModelRegistry;
  /** The model routers by pipeline name (only the pipelines that run). */
  routers: Readonly<Record<string, ModelRouter>>;
}

type Handler = (req: Request, res: Response) => Promise<void> | void;

/** Wraps a handler so that a throw or a rejection becomes a problem document. */
function route(h: Handler) {
  return (req: Request, res: Response, _next: NextFunction): void => {
    try {
      const out = h(req, res);
      if (out instanceof Promise) out.catch((err: unknown) => sendProblem(req, res, err));
    } catch (err) {
      sendProblem(req, res, err);
    }
  };
}

function invalid(field: string, message: string, expected: string): never {
  throw httpError(400, `${field}: ${message}`, { code: 'INVALID_INPUT', field, expected });
}

function bodyOf(req: Request): Record<string, unknown> {
  const b: unknown = req.body;
  if (typeof b !== 'object' || b === null || Array.isArray(b))
    throw httpError(400, 'body: expected form fields (application/x-www-form-urlencoded) or a JSON object', {
      code: 'INVALID_INPUT',
      field: '',
      expected: 'an object',
    });
  return b as Record<string, unknown>;
}

/** A number field of a form (a string) or a JSON body (a number); `undefined` when absent and optional. */
function numberField(
  body: Record<string, unknown>,
  field: string,
  check: { min: number; integer?: boolean; optional?: boolean },
): number | undefined {
  const raw = body[field];
  const expected = `${check.integer ? 'an integer' : 'a number'} >= ${check.min}`;
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
    if (check.optional) return undefined;
    invalid(field, `required, expected ${expected}`, expected);
  }
  const v = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : Number.NaN;
  if (!Number.isFinite(v) || v < check.min || (check.integer === true && !Number.isInteger(v)))
    invalid(field, `expected ${expected}, got ${JSON.stringify(raw).slice(0, 40)}`, expected);
  return v;
}

function servedRouter(routers: Readonly<Record<string, ModelRouter>>, name: string): ModelRouter {
  const r = routers[name];
  if (r === undefined) throw httpError(404, `model "${name}" is not served here`, { code: 'NOT_FOUND' });
  if (r.rollout === undefined)
    throw httpError(
      503,
      `model "${name}" is not ready (loading or verifying)`,
      { code: 'NOT_READY' },
      { 'retry-after': '1' },
    );
  return r;
}

/** Reads (once per version) the artifact of a model version. */
function artifactCache(registry: ModelRegistry) {
  const cache = new Map<string, Promise<ModelArtifact>>();
  return (model: string, version: number): Promise<ModelArtifact> => {
    const key = `${model}@${version}`;
    let p = cache.get(key);
    if (!p) {
      p = registry.load(model, version).then((l) => decodeArtifact(l.bytes));
      p.catch(() => cache.delete(key));
      cache.set(key, p);
      if (cache.size > 32) cache.delete(cache.keys().next().value!);
    }
    return p;
  };
}

/** The categories an artifact knows for a column: the training categories, the closed schema list, the profile's. */
export function categoriesOf(artifact: ModelArtifact, column: string): string[] {
  const trained = artifact.categories?.[column];
  if (trained && trained.length > 0) return [...trained];
  const closed = artifact.schema.columns[column]?.categories;
  if (closed && closed.length > 0) return [...closed];
  const f = (artifact.profile as { features?: Record<string, { type?: string; categories?: unknown }> } | undefined)
    ?.features?.[column];
  return f?.type === 'categorical' && Array.isArray(f.categories) ? f.categories.map(String) : [];
}

/** The training-data range of each numeric input column, from the artifact's drift reference profile. */
function trainingRanges(artifact: ModelArtifact): Record<string, { min: number; max: number; mean: number }> {
  const out: Record<string, { min: number; max: number; mean: number }> = {};
  const features = (artifact.profile as { features?: Record<string, Record<string, unknown>> } | undefined)?.features;
  for (const [name, f] of Object.entries(features ?? {})) {
    if (f.type === 'numeric' && typeof f.min === 'number' && typeof f.max === 'number')
      out[name] = { min: f.min, max: f.max, mean: typeof f.mean === 'number' ? f.mean : Number.NaN };
  }
  return out;
}

/**
 * The seed routes: `/api/*` (when `bangalore` runs), `GET /model/info` (when `california` runs),
 * `POST /reload` (when `iris` runs). Mount before the serving router, which answers every other
 * path with a 404 problem.
 */
export function createSeedRoutes(options: SeedRoutesOptions): express.Router {
  const { registry, routers } = options;
  const artifact = artifactCache(registry);
  const app = express.Router();
  const forms = [express.urlencoded({ extended: false, limit: '16kb' }), express.json({ limit: '16kb' })];

  if (routers.bangalore) {
    const model = 'bangalore';
    app.use('/bangalore', express.static(BANGALORE_PUBLIC_DIR, { index: 'index.html', fallthrough: true }));

    app.post(
      '/api/predict_home_price',
      ...forms,
      route((req, res) => {
        const body = bodyOf(req);
        const r = servedRouter(routers, model);
        const location = body.location;
        if (typeof location !== 'string' || location.trim() === '')
          invalid('location', 'required, expected a location name', 'a location name (GET /api/get_location_names)');
        const row = {
          location: location.trim(),
          total_sqft: numberField(body, 'total_sqft', { min: 1 })!,
          bhk: numberField(body, 'bhk', { min: 1, integer: true })!,
          bath: numberField(body, 'bath', { min: 1, integer: true })!,
        };
        const unit = req.get('x-unit-key');
        const p = r.predict<number | { value: number }>(row, unit ? { unit } : undefined);
        const value = typeof p.prediction === 'number' ? p.prediction : p.prediction.value;
        res.json({
          estimated_price: Math.round(value * 100) / 100,
          requestId: p.requestId,
          variant: p.variant,
          version: p.modelVersion,
        });
      }),
    );

    app.get(
      '/api/get_location_names',
      route(async (_req, res) => {
        const r = servedRouter(routers, model);
        const version = r.rollout!.production;
        const a = await artifact(model, version);
        res.json({ locations: categoriesOf(a, 'location').sort((x, y) => x.localeCompare(y)), version });
      }),
    );

    app.get(
      '/api/health',
      route((_req, res) => {
        const r = routers[model]!.rollout;
        res.json({
          status: 'ok',
          model,
          ready: r !== undefined,
          ...(r ? { version: r.production, revision: r.revision } : {}),
          ...(r?.candidate !== undefined ? { candidate: r.candidate } : {}),
        });
      }),
    );

    app.get(
      '/api/metrics',
      route(async (_req, res) => {
        const r = servedRouter(routers, model);
        res.json({ model, aggregates: JSON.parse(JSON.stringify(await r.aggregates())) as unknown });
      }),
    );

    app.post(
      '/api/feedback',
      ...forms,
      route(async (req, res) => {
        const body = bodyOf(req);
        const r = servedRouter(routers, model);
        const requestId = body.requestId;
        if (typeof requestId !== 'string' || requestId === '')
          invalid('requestId', 'required, expected the requestId of a prediction', 'the requestId of a prediction');
        const stars = numberField(body, 'stars', { min: 1, integer: true, optional: true });
        if (stars !== undefined && stars > 5) invalid('stars', `expected 1 to 5 stars, got ${stars}`, 'an integer 1-5');
        const acc = body.accurate;
        let correct: boolean | undefined;
        if (acc === true || acc === 'yes' || acc === 'true') correct = true;
        else if (acc === false || acc === 'no' || acc === 'false') correct = false;
        else if (acc !== undefined && acc !== null && acc !== '')
          invalid('accurate', `expected yes or no, got ${JSON.stringify(acc).slice(0, 40)}`, 'yes or no');
        const actual = numberField(body, 'actual_price', { min: 0, optional: true });
        if (stars === undefined && correct === undefined && actual === undefined)
          invalid('stars', 'give at least one of stars, accurate or actual_price', 'stars, accurate or actual_price');
        const fb = {
          ...(stars !== undefined ? { rating: stars } : {}),
          ...(correct !== undefined ? { correct } : {}),
          ...(actual !== undefined ? { actual } : {}),
        };
        const claims = await r.feedback(requestId, fb);
        res.json({
          recorded: true,
          model,
          variant: claims.variant,
          version: claims.modelVersion,
          ...(stars !== undefined ? { stars } : {}),
          ...(correct !== undefined ? { accurate: correct ? 'yes' : 'no' } : {}),
          ...(actual !== undefined ? { actual_price: actual } : {}),
        });
      }),
    );
  }

  if (routers.california) {
    const model = 'california';
    app.get(
      '/model/info',
      route(async (_req, res) => {
        const r = servedRouter(routers, model);
        const rollout = r.rollout!;
        const a = await artifact(model, rollout.production);
        const ranges = trainingRanges(a);
        const columns: Record<string, unknown> = {};
        for (const [name, c] of Object.entries(a.schema.columns)) {
          if ((c.role ?? 'feature') !== 'feature') continue; // the input columns only
          const seen = ranges[name];
          const declared = californiaSchema.columns[name]; // the dataset's allowed ranges
          columns[name] = {
            ...c,
            ...(declared?.min !== undefined ? { min: declared.min } : {}),
            ...(declared?.max !== undefined ? { max: declared.max } : {}),
            ...(seen ? { trainingRange: { min: seen.min, max: seen.max, mean: seen.mean } } : {}),
          };
        }
        const metrics: Record<string, number | null> = {};
        for (const [k, v] of Object.entries(a.metrics)) metrics[k] = Number.isFinite(v) ? v : null;
        res.json({
          model,
          version: rollout.production,
          task: a.task,
          target: a.target.name,
          learner: a.learner.kind,
          createdAt: a.createdAt,
          schema: { columns },
          metrics,
          rollout: {
            revision: rollout.revision,
            production: rollout.production,
            ...(rollout.candidate !== undefined ? { candidate: rollout.candidate } : {}),
            weights: rollout.weights,
            mode: rollout.mode,
          },
        });
      }),
    );
  }

  if (routers.iris) {
    const model = 'iris';
    app.post(
      '/reload',
      route(async (_req, res) => {
        const r = routers[model]!;
        const stored = await registry.getRollout(model);
        if (stored === undefined)
          throw httpError(503, `model "${model}" has no rollout yet`, { code: 'NOT_READY' }, { 'retry-after': '1' });
        const before = r.rollout?.revision;
        const served = await r.waitForRevision(stored.revision, { timeoutMs: 10_000 });
        res.json({
          model,
          version: served.production,
          revision: served.revision,
          ...(served.candidate !== undefined ? { candidate: served.candidate } : {}),
          reloaded: before !== served.revision,
        });
      }),
    );
  }
  return app;
}
