/**
 * The management API over real sockets on 127.0.0.1: a real registry (MemoryStore), a real
 * controller on a fake clock (ticked by hand), a real embedded job runner training in a worker
 * thread, Express 5 listening on an ephemeral port and the global fetch as the client.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryOutcomeStore, createRegistry, MemoryStore, type ModelRegistry } from '@modelship/core';
import {
  type Controller,
  controllerKeys,
  createController,
  createEmbeddedJobRunner,
  type EmbeddedJobRunner,
  validateTrainingSpec,
} from '@modelship/controller';
import {
  createSqlitePredictionQuery,
  createSqliteSink,
  type SqlitePredictionQuery,
} from '@modelship/prediction-log-sql/sqlite';
import express from 'express';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createJwtAuthenticator,
  createManagementRouter,
  createOpenApiRegistry,
  hasRole,
  MANAGEMENT_ROUTES,
  type ManagementRouter,
  type ManagementRouterOptions,
  type ManagementRouteSpec,
  requiredRole,
  type Role,
} from '../src/index.js';

const MINUTE = 60_000;
const SECRET = 'management-test-hs256-secret-0123456789abcdef';
const TOKENS = {
  viewer: 'viewer-token-0123456789abcdef',
  admin: 'admin-token-0123456789abcdef',
  limited: 'limited-token-0123456789abcdef',
} as const;
const enc = new TextEncoder();

interface World {
  registry: ModelRegistry;
  controller: Controller;
  jobs: EmbeddedJobRunner;
  router: ManagementRouter;
  server: Server;
  base: string;
  clock: { t: number };
  tokens: Record<'none' | 'viewer' | 'operator' | 'admin' | 'wrong' | 'expired', string | undefined>;
  spec: Record<string, unknown>;
  predictions: SqlitePredictionQuery;
}

let w: World;

async function jwt(sub: string, role: string, expSeconds: number): Promise<string> {
  return new SignJWT({ role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
    .setExpirationTime(Math.floor(Date.now() / 1000) + expSeconds)
    .sign(enc.encode(SECRET));
}

function csv(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mgmt-'));
  const path = join(dir, 'train.csv');
  let s = 1;
  const lines = ['x,y'];
  for (let i = 0; i < 80; i++) {
    s = (s * 16807) % 2147483647;
    const x = (s % 1000) / 100;
    lines.push(`${x},${(3 * x + 1 + ((s % 7) - 3) / 10).toFixed(4)}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

async function register(
  registry: ModelRegistry,
  name: string,
  n: number,
  tags: Record<string, string> = {},
): Promise<void> {
  await registry.register(name, enc.encode(`${name}-v${n}-${Math.random()}`), {
    metrics: { accuracy: 0.8 + n / 100 },
    tags,
  });
}

beforeAll(async () => {
  const clock = { t: Date.UTC(2026, 11, 1, 9) };
  const now = () => clock.t;
  const registry = createRegistry({ store: new MemoryStore(), clock: now, actor: 'test' });
  const jobs = createEmbeddedJobRunner({
    registry,
    pollMs: 50,
    backoff: { initialMs: 1, factor: 1, maxMs: 1 },
    maxAttempts: 1,
  });
  const controller = createController({
    registry,
    outcomes: createMemoryOutcomeStore(),
    clock: now,
    jobs,
    intervalMs: 3_600_000,
    models: {
      m: { rampSteps: [0.1, 0.5], stepMs: 10 * MINUTE },
      a: { approval: { beforeStart: true } },
      e: {},
    },
  });
  await register(registry, 'm', 1, { team: 'risk' });
  await register(registry, 'a', 1);
  for (const n of [1, 2, 3]) await register(registry, 'free', n, n === 3 ? { stage: 'beta' } : {});
  await registry.registerDataset('ds', { fingerprint: 'f'.repeat(64), rowCount: 80 });
  await controller.tick(); // first deployments of m and a (v1)
  await register(registry, 'm', 2, { team: 'risk' });
  await register(registry, 'a', 2);
  await controller.tick(); // m: rollout of v2 starts; a: approval requested
  clock.t += MINUTE;
  await controller.tick(); // m: judged on (no) outcomes → a logged decision with its record

  const spec = {
    model: 'trained',
    data: { kind: 'csv', path: csv() },
    task: 'regression',
    target: 'y',
    features: { features: [{ type: 'numeric', column: 'x' }] },
    variants: { linear: { learner: 'linear' } },
    evaluation: { kind: 'holdout', testFraction: 0.2 },
  };
  // the prediction log (a real SQLite file): 30 answers of m, a minute apart, half by the candidate
  const logPath = join(mkdtempSync(join(tmpdir(), 'mgmt-log-')), 'log.db');
  const sink = createSqliteSink({ path: logPath });
  const t0 = Date.UTC(2026, 11, 1, 8);
  sink.write(
    Array.from({ length: 30 }, (_, i) => ({
      requestId: `req-${i}`,
      time: t0 + i * MINUTE,
      model: 'm',
      variant: i % 2 === 0 ? 'production' : 'candidate',
      modelVersion: i % 2 === 0 ? 1 : 2,
      latencyMs: 0.5,
      prediction: i,
      input: { x: i },
    })),
  );
  await sink.close();
  const predictions = createSqlitePredictionQuery({ path: logPath });
  const options: ManagementRouterOptions = {
    registry,
    controller,
    jobs,
    predictions,
    drift: (model) => {
      if (model === 'a') throw new Error('db password=hunter2 at /srv/internal.ts:12');
      return model === 'm' ? { datasetDrift: false, features: [], window: { size: 0 } } : undefined;
    },
    validateSpec: (s) => validateTrainingSpec(s, 'POST /jobs'),
    auth: {
      tokens: [
        { token: TOKENS.viewer, id: 'viewer-1', role: 'viewer' },
        { token: TOKENS.admin, id: 'admin-1', role: 'admin' },
        { token: TOKENS.limited, id: 'limited-1', role: 'viewer' },
      ],
      authorize: createJwtAuthenticator({ secret: SECRET }),
    },
    bodyLimit: '4kb',
    heartbeatMs: 100,
    logPollMs: 50,
    rateLimit: ({ principal }) => (principal?.id === 'limited-1' ? { allowed: false, retryAfterSeconds: 7 } : true),
    openapi: createOpenApiRegistry(),
    openapiPrefix: '/manage',
  };
  const router = createManagementRouter(options);
  const app = express();
  app.use('/manage', router);
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  w = {
    registry,
    controller,
    jobs,
    router,
    server,
    base: `http://127.0.0.1:${port}/manage`,
    clock,
    spec,
    predictions,
    tokens: {
      none: undefined,
      viewer: TOKENS.viewer,
      operator: await jwt('operator-jwt', 'operator', 3600),
      admin: TOKENS.admin,
      wrong: 'not-a-real-token-0123456789',
      expired: await jwt('admin-expired', 'admin', -3600),
    },
  };
});

afterAll(async () => {
  await w?.router.close();
  w?.server.closeAllConnections();
  await new Promise((resolve) => w?.server.close(resolve));
  await w?.controller.close();
  await w?.jobs.close();
  await w?.registry.close();
  w?.predictions.close();
});

interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { [k: string]: unknown };
  text: string;
}

async function call(
  method: string,
  path: string,
  o: {
    as?: keyof World['tokens'];
    token?: string;
    body?: unknown;
    raw?: string;
    type?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Reply> {
  const token = o.token ?? w.tokens[o.as ?? 'admin'];
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (o.raw !== undefined) {
    body = o.raw;
    headers['content-type'] = o.type ?? 'application/json';
  } else if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['content-type'] = o.type ?? 'application/json';
  }
  const res = await fetch(`${w.base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = {};
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

function expectProblem(r: Reply, status: number, code?: string): void {
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(r.body.status).toBe(status);
  expect(typeof r.body.title).toBe('string');
  expect(typeof r.body.type).toBe('string');
  expect(r.body.requestId).toBe(r.headers.get('x-request-id'));
  if (code !== undefined) expect(r.body.code).toBe(code);
  expect(r.text).not.toMatch(/\bat .+\.(ts|js):\d+/); // never a stack trace
}

interface SseFrame {
  id?: string;
  event?: string;
  data?: unknown;
  comment?: string;
}

/** Reads server-sent events from a live response until `until` holds (or the stream ends / times out). */
async function readSse(res: Response, until: (frames: SseFrame[]) => boolean, timeoutMs = 10_000): Promise<SseFrame[]> {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  const frames: SseFrame[] = [];
  let buf = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (!until(frames) && Date.now() < deadline) {
      const chunk = await Promise.race([
        reader.read(),
        new Promise<{ done: true; value: undefined }>((r) =>
          setTimeout(() => r({ done: true, value: undefined }), deadline - Date.now()),
        ),
      ]);
      if (chunk.done) break;
      buf += dec.decode(chunk.value, { stream: true });
      let i = buf.indexOf('\n\n');
      while (i >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const f: SseFrame = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) f.comment = line.slice(1).trim();
          else if (line.startsWith('id: ')) f.id = line.slice(4);
          else if (line.startsWith('event: ')) f.event = line.slice(7);
          else if (line.startsWith('data: ')) f.data = JSON.parse(line.slice(6));
        }
        frames.push(f);
        i = buf.indexOf('\n\n');
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return frames;
}

// ---------------------------------------------------------------------------------------------

describe('createManagementRouter options', () => {
  it('refuses to build without authentication unless allowAnonymous is explicit', () => {
    const registry = createRegistry({ store: new MemoryStore() });
    for (const auth of [{}, { tokens: [] }, { allowAnonymous: false }]) {
      let err: unknown;
      try {
        createManagementRouter({ registry, auth });
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ name: 'ManagementError', code: 'INVALID_OPTIONS', details: { field: 'auth' } });
      expect((err as Error).message).toMatch(/^createManagementRouter: auth: /);
    }
    expect(() => createManagementRouter({ registry, auth: { allowAnonymous: true } })).not.toThrow();
    expect(() => createManagementRouter({ registry, auth: { allowAnonymous: true }, bodyLimit: -1 })).toThrow(
      /bodyLimit/,
    );
    expect(() => createManagementRouter({ registry, auth: { allowAnonymous: true }, jobs: {} as never })).toThrow(
      /jobs/,
    );
  });

  it('lets anonymous callers in as viewers when allowed, and still checks given credentials', async () => {
    const registry = createRegistry({ store: new MemoryStore() });
    const app = express().use(createManagementRouter({ registry, auth: { allowAnonymous: true } }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((r) => server.once('listening', () => r()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${base}/whoami`)).status).toBe(200);
      expect(await (await fetch(`${base}/whoami`)).json()).toEqual({ id: 'anonymous', role: 'viewer' });
      expect((await fetch(`${base}/audit`)).status).toBe(403);
      expect((await fetch(`${base}/models`, { headers: { authorization: 'Bearer nope-nope-nope-nope' } })).status).toBe(
        401,
      );
      // routes whose option is missing are not mounted
      expect((await fetch(`${base}/jobs`)).status).toBe(404);
    } finally {
      server.close();
    }
  });

  it('registers every mounted route in the OpenAPI registry', () => {
    const openapi = createOpenApiRegistry();
    const registry = createRegistry({ store: new MemoryStore() });
    const r = createManagementRouter({ registry, auth: { allowAnonymous: true }, openapi, openapiPrefix: '/manage' });
    expect(openapi.routes.map((x) => x.operation.operationId)).toEqual(r.routes.map((x) => x.id));
    const doc = openapi.document() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain('/manage/models/{name}/aliases/{alias}');
  });
});

describe('models, versions and datasets', () => {
  it('lists and reads models and versions', async () => {
    const models = await call('GET', '/models', { as: 'viewer' });
    expect(models.status).toBe(200);
    expect(models.body.models).toEqual(['a', 'free', 'm']);
    const m = await call('GET', '/models/m', { as: 'viewer' });
    expect(m.status).toBe(200);
    expect(m.body).toMatchObject({
      model: { name: 'm' },
      aliases: { production: 1, candidate: 2 },
      rollout: { production: 1, candidate: 2 },
    });
    expect((await call('GET', '/models/free')).body.rollout).toBeNull();
    const versions = await call('GET', '/models/free/versions');
    expect((versions.body.versions as unknown[]).length).toBe(3);
    const v = await call('GET', '/models/free/versions/2');
    expect(v.body).toMatchObject({ name: 'free', version: 2 });
  });

  it('answers unknown models and versions with 404 and bad parameters with 400 naming the field', async () => {
    expectProblem(await call('GET', '/models/nope'), 404, 'NOT_FOUND');
    expectProblem(await call('GET', '/models/free/versions/9'), 404, 'NOT_FOUND');
    const bad = await call('GET', '/models/free/versions/zero');
    expectProblem(bad, 400, 'INVALID_INPUT');
    expect(bad.body.field).toBe('params.version');
    expectProblem(await call('GET', '/models/.hidden'), 400);
    const r = await call('GET', '/no/such/route');
    expectProblem(r, 404);
    const m = await call('DELETE', '/models');
    expectProblem(m, 405);
    expect(m.headers.get('allow')).toBe('GET');
  });

  it('searches versions by tag, metric, time and dataset', async () => {
    const byTag = await call('GET', '/versions?tag=team=risk');
    expect((byTag.body.versions as Array<{ name: string }>).map((v) => v.name)).toEqual(['m', 'm']);
    const byKey = await call('GET', '/versions?name=free&tag=stage');
    expect((byKey.body.versions as Array<{ version: number }>).map((v) => v.version)).toEqual([3]);
    const byMetric = await call('GET', '/versions?name=free&metric=accuracy>=0.82&metric=accuracy<0.83');
    expect((byMetric.body.versions as Array<{ version: number }>).map((v) => v.version)).toEqual([2]);
    const byTime = await call('GET', `/versions?name=free&createdAfter=${new Date(w.clock.t + 1).toISOString()}`);
    expect(byTime.body.versions).toEqual([]);
    expect((await call('GET', '/versions?dataset=ds@1')).body.versions).toEqual([]);
    const bad = await call('GET', '/versions?metric=accuracy~1');
    expectProblem(bad, 400, 'INVALID_INPUT');
    expect(bad.body.field).toBe('metric');
    expectProblem(await call('GET', '/versions?unknown=1'), 400);
  });

  it('lists and reads datasets', async () => {
    expect((await call('GET', '/datasets', { as: 'viewer' })).body).toEqual({ datasets: ['ds'] });
    expect(((await call('GET', '/datasets/ds/versions')).body.versions as unknown[]).length).toBe(1);
    expect((await call('GET', '/datasets/ds/versions/1')).body).toMatchObject({ name: 'ds', version: 1, rowCount: 80 });
    expect((await call('GET', '/datasets/ds/versions/V1')).body).toMatchObject({ version: 1 });
    expectProblem(await call('GET', '/datasets/ds/versions/7'), 404);
  });
});

describe('aliases', () => {
  it('sets an alias by compare-and-set, answers 409 with the current version, keeps history and time travel', async () => {
    const set = await call('PUT', '/models/free/aliases/staging', {
      as: 'operator',
      body: { version: 1, expect: null, reason: 'first' },
    });
    expect(set.status, set.text).toBe(200);
    expect(set.body).toMatchObject({ action: 'set', from: null, to: 1, actor: 'operator-jwt', reason: 'first' });
    const t1 = w.clock.t;
    w.clock.t += MINUTE;
    expect(
      (await call('PUT', '/models/free/aliases/staging', { as: 'operator', body: { version: 2, expect: 1 } })).status,
    ).toBe(200);
    const conflict = await call('PUT', '/models/free/aliases/staging', {
      as: 'operator',
      body: { version: 3, expect: 1 },
    });
    expectProblem(conflict, 409, 'CONFLICT');
    expect(conflict.body.current).toBe(2);
    const list = await call('GET', '/models/free/aliases', { as: 'viewer' });
    expect(list.body.aliases).toEqual({ staging: 2 });
    const history = await call('GET', '/models/free/aliases/staging/history', { as: 'viewer' });
    expect((history.body.history as Array<{ to: number }>).map((h) => h.to)).toEqual([1, 2]);
    const at = await call('GET', `/models/free/aliases/staging/at?time=${t1}`);
    expect(at.body).toEqual({ alias: 'staging', time: t1, version: 1 });
    const atIso = await call('GET', `/models/free/aliases/staging/at?time=${new Date(t1 - 1).toISOString()}`);
    expect(atIso.body.version).toBeNull();
    expectProblem(await call('GET', '/models/free/aliases/staging/at?time=yesterday'), 400);
    const back = await call('POST', '/models/free/aliases/staging/rollback', { as: 'operator', body: {} });
    expect(back.status, back.text).toBe(200);
    expect(back.body).toMatchObject({ action: 'rollback', from: 2, to: 1 });
    expectProblem(await call('POST', '/models/free/aliases/nothing/rollback', { body: {} }), 404);
    expectProblem(await call('PUT', '/models/free/aliases/staging', { body: { version: 99 } }), 404);
  });

  it('needs admin to move a protected alias', async () => {
    expectProblem(
      await call('PUT', '/models/free/aliases/production', { as: 'operator', body: { version: 1 } }),
      403,
      'FORBIDDEN',
    );
    const ok = await call('PUT', '/models/free/aliases/production', {
      as: 'admin',
      body: { version: 1, expect: null },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ to: 1, actor: 'admin-1', forced: true });
  });
});

describe('rollout', () => {
  it('starts, ramps, promotes, rolls back, with 409s carrying the current revision', async () => {
    expectProblem(await call('GET', '/models/free/rollout', { as: 'viewer' }), 404);
    await w.registry.deploy('free', 1, { reason: 'test setup' });
    const r0 = await call('GET', '/models/free/rollout', { as: 'viewer' });
    expect(r0.body).toMatchObject({ production: 1, revision: 1 });
    const started = await call('POST', '/models/free/rollout', {
      as: 'operator',
      body: { candidate: 2, steps: [0.1, 0.5], expect: 1, reason: 'try v2' },
    });
    expect(started.status, started.text).toBe(201);
    expect(started.body).toMatchObject({ production: 1, candidate: 2, revision: 2, weights: { candidate: 0.1 } });
    expectProblem(
      await call('POST', '/models/free/rollout', { as: 'operator', body: { candidate: 3 } }),
      409,
      'INVALID_STATE',
    );
    const stale = await call('POST', '/models/free/rollout/ramp', { as: 'operator', body: { expect: 1 } });
    expectProblem(stale, 409, 'CONFLICT');
    expect(stale.body.current).toBe(2);
    const ramped = await call('POST', '/models/free/rollout/ramp', { as: 'operator', body: { expect: 2 } });
    expect(ramped.body).toMatchObject({ weights: { candidate: 0.5 }, revision: 3 });
    expectProblem(await call('POST', '/models/free/rollout/ramp', { as: 'operator', body: {} }), 409, 'INVALID_STATE');
    const promoted = await call('POST', '/models/free/promote', { as: 'operator', body: { reason: 'better' } });
    expect(promoted.status, promoted.text).toBe(200);
    expect(promoted.body).toMatchObject({ production: 2 });
    expect(promoted.body.candidate).toBeUndefined();
    expectProblem(await call('POST', '/models/free/rollout/abort', { as: 'operator', body: {} }), 409, 'INVALID_STATE');
    expectProblem(await call('POST', '/models/free/rollback', { as: 'operator', body: {} }), 403, 'FORBIDDEN');
    const back = await call('POST', '/models/free/rollback', { as: 'admin', body: { reason: 'v2 misbehaves' } });
    expect(back.status, back.text).toBe(200);
    expect((await call('GET', '/models/free/rollout')).body).toMatchObject({ production: 1 });
    // abort a fresh rollout
    await call('POST', '/models/free/rollout', { as: 'operator', body: { candidate: 3 } });
    const aborted = await call('POST', '/models/free/rollout/abort', { as: 'operator', body: {} });
    expect(aborted.body).toMatchObject({ production: 1 });
    expect(aborted.body.candidate).toBeUndefined();
    const history = await call('GET', '/models/free/history', { as: 'viewer' });
    expect((history.body.history as unknown[]).length).toBeGreaterThanOrEqual(6);
    const state = await call('GET', '/models/m/state', { as: 'viewer' });
    expect(state.body).toMatchObject({ phase: 'canary', candidate: 2, rollout: { candidate: 2 } });
    expectProblem(await call('GET', '/models/free/state'), 404);
  });
});

describe('request handling', () => {
  it('answers 415 for a body that is not JSON, 413 above the body limit, 400 for bad JSON or an unknown field', async () => {
    expectProblem(
      await call('POST', '/models/free/rollout', { raw: 'candidate=2', type: 'text/plain' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectProblem(
      await call('POST', '/models/free/rollout', { raw: JSON.stringify({ reason: 'x'.repeat(10_000), candidate: 2 }) }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expectProblem(await call('POST', '/models/free/rollout', { raw: '{"candidate":' }), 400);
    const unknown = await call('POST', '/models/free/rollout', { body: { candidate: 2, colour: 'red' } });
    expectProblem(unknown, 400, 'INVALID_INPUT');
    const wrongType = await call('POST', '/models/free/rollout', { body: { candidate: 'two' } });
    expectProblem(wrongType, 400, 'INVALID_INPUT');
    expect(wrongType.body.field).toBe('candidate');
  });

  it('echoes a safe x-request-id and generates one otherwise', async () => {
    const r = await call('GET', '/models', { headers: { 'x-request-id': 'req-123' } });
    expect(r.headers.get('x-request-id')).toBe('req-123');
    const g = await call('GET', '/models', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(g.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 429 with Retry-After when the rate-limit hook refuses', async () => {
    const r = await call('GET', '/models', { token: TOKENS.limited });
    expectProblem(r, 429, 'RATE_LIMITED');
    expect(r.headers.get('retry-after')).toBe('7');
  });

  it('answers 401 with WWW-Authenticate for missing, wrong and expired credentials', async () => {
    for (const as of ['none', 'wrong', 'expired'] as const) {
      const r = await call('GET', '/models', { as });
      expectProblem(r, 401, 'UNAUTHORIZED');
      expect(r.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect((await call('GET', '/models', { as: 'expired' })).body.detail).toBe('the token has expired');
    expect((await call('GET', '/whoami', { as: 'operator' })).body).toEqual({ id: 'operator-jwt', role: 'operator' });
  });
});

describe('decisions, approvals, alerts, drift', () => {
  it('pages the decision log and replays a logged decision', async () => {
    w.clock.t += MINUTE;
    await w.controller.tick(); // a second judged decision
    const all = await call('GET', '/models/m/decisions', { as: 'viewer' });
    const entries = all.body.decisions as Array<{ id: string; action: string; record?: unknown }>;
    expect(entries.length).toBeGreaterThanOrEqual(2);
    const p1 = await call('GET', '/models/m/decisions?limit=1', { as: 'viewer' });
    expect((p1.body.decisions as Array<{ id: string }>).map((d) => d.id)).toEqual([entries[0]!.id]);
    expect(p1.body.next).toBe(entries[0]!.id);
    const p2 = await call('GET', `/models/m/decisions?limit=1&before=${p1.body.next as string}`, { as: 'viewer' });
    expect((p2.body.decisions as Array<{ id: string }>).map((d) => d.id)).toEqual([entries[1]!.id]);
    expectProblem(await call('GET', '/models/m/decisions?before=nope'), 404);
    expectProblem(await call('GET', '/models/m/decisions?limit=0'), 400);
    const one = await call('GET', `/models/m/decisions/${entries[1]!.id}`, { as: 'viewer' });
    expect(one.body).toMatchObject({ id: entries[1]!.id, model: 'm' });
    const replay = await call('POST', `/models/m/decisions/${entries[1]!.id}/replay`, { as: 'viewer', body: {} });
    expect(replay.status, replay.text).toBe(200);
    expect(replay.body).toMatchObject({
      id: entries[1]!.id,
      logged: { action: entries[1]!.action },
      recomputed: { action: entries[1]!.action },
      matches: true,
    });
    expectProblem(await call('POST', '/models/m/decisions/nope/replay', { body: {} }), 404);
    expectProblem(await call('GET', '/models/free/decisions'), 404); // not managed by the controller
  });

  it('replays a decision whose record disagrees (a tampered log entry) as matches: false, and refuses one without a record', async () => {
    const store = w.registry.store;
    const keys = await store.list(controllerKeys.decisionsPrefix('m'));
    const src = JSON.parse(new TextDecoder().decode((await store.get(keys[0]!))!.body)) as Record<string, unknown>;
    const tampered = {
      ...src,
      id: '000000000000001-tampered',
      action: src.action === 'rollback' ? 'promote' : 'rollback',
    };
    await store.put(
      `${controllerKeys.decisionsPrefix('m')}000000000000001-tampered.json`,
      enc.encode(JSON.stringify(tampered)),
    );
    const r = await call('POST', '/models/m/decisions/000000000000001-tampered/replay', { body: {} });
    expect(r.body).toMatchObject({ matches: false, recomputed: { action: src.action } });
    const bare: Record<string, unknown> = { ...src, id: '000000000000002-bare' };
    delete bare.record;
    await store.put(
      `${controllerKeys.decisionsPrefix('m')}000000000000002-bare.json`,
      enc.encode(JSON.stringify(bare)),
    );
    expectProblem(
      await call('POST', '/models/m/decisions/000000000000002-bare/replay', { body: {} }),
      422,
      'BUSINESS_RULE',
    );
  });

  it('lists, approves and refuses a second decision on approvals', async () => {
    const list = await call('GET', '/models/a/approvals', { as: 'viewer' });
    expect(list.body.approvals).toMatchObject([{ model: 'a', kind: 'start', candidate: 2, status: 'pending' }]);
    expectProblem(await call('POST', '/models/a/approvals/approve', { as: 'viewer', body: {} }), 403);
    const ok = await call('POST', '/models/a/approvals/approve', { as: 'operator', body: { reason: 'looks fine' } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ status: 'approved', by: 'operator-jwt', reason: 'looks fine' });
    await w.controller.tick();
    expectProblem(await call('POST', '/models/a/approvals/reject', { as: 'operator', body: {} }), 409, 'INVALID_STATE');
    expectProblem(
      await call('POST', '/models/m/approvals/approve', { as: 'operator', body: {} }),
      409,
      'INVALID_STATE',
    );
  });

  it('lists and acknowledges alerts', async () => {
    const alert = {
      id: 'drift-x',
      model: 'm',
      kind: 'drift',
      severity: 'high',
      subject: 'x',
      message: 'PSI 0.4',
      firstSeenAt: w.clock.t,
      lastSeenAt: w.clock.t,
      count: 1,
    };
    await w.registry.store.put(`${controllerKeys.alertsPrefix('m')}drift-x.json`, enc.encode(JSON.stringify(alert)));
    const list = await call('GET', '/models/m/alerts', { as: 'viewer' });
    expect(list.body.alerts).toMatchObject([{ id: 'drift-x', severity: 'high' }]);
    const ack = await call('POST', '/models/m/alerts/drift-x/acknowledge', { as: 'operator', body: {} });
    expect(ack.status, ack.text).toBe(200);
    expect(ack.body).toMatchObject({ id: 'drift-x', acknowledged: { by: 'operator-jwt' } });
    expectProblem(await call('POST', '/models/m/alerts/none/acknowledge', { as: 'operator', body: {} }), 404);
  });

  it('serves the injected drift report', async () => {
    expect((await call('GET', '/models/m/drift', { as: 'viewer' })).body).toMatchObject({ datasetDrift: false });
    expectProblem(await call('GET', '/models/free/drift', { as: 'viewer' }), 404);
    const boom = await call('GET', '/models/a/drift', { as: 'viewer' });
    expectProblem(boom, 500);
    expect(boom.text).not.toMatch(/hunter2|internal\.ts/);
  });
});

describe('training jobs', () => {
  it('validates the spec (400 naming the field), starts a job, streams its logs to the end, cancels', async () => {
    const bad = await call('POST', '/jobs', { as: 'operator', body: { ...w.spec, variants: { lin: { learner: 3 } } } });
    expectProblem(bad, 400, 'INVALID_OPTIONS');
    expect(bad.body.field).toBe('spec.variants.lin.learner');
    expectProblem(await call('POST', '/jobs', { as: 'operator', body: [] }), 400);
    const started = await call('POST', '/jobs', {
      as: 'operator',
      body: w.spec,
      headers: { 'idempotency-key': 'manual-1' },
    });
    expect(started.status, started.text).toBe(202);
    const id = started.body.id as string;
    expect(started.body).toMatchObject({ model: 'trained', status: 'queued', trigger: 'manual' });
    const again = await call('POST', '/jobs', {
      as: 'operator',
      body: w.spec,
      headers: { 'idempotency-key': 'manual-1' },
    });
    expect(again.body.id).toBe(id);

    const res = await fetch(`${w.base}/jobs/${id}/logs`, { headers: { authorization: `Bearer ${TOKENS.viewer}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const frames = await readSse(res, (f) => f.some((x) => x.event === 'end'), 60_000);
    const end = frames.find((f) => f.event === 'end');
    expect(end?.data).toEqual({ status: 'succeeded' });
    const logs = frames.filter((f) => f.event === 'log').map((f) => (f.data as { line: string }).line);
    expect(logs.some((l) => /registered trained v1/.test(l))).toBe(true);
    expect(frames.filter((f) => f.event === 'log').map((f) => f.id)).toEqual(logs.map((_, i) => String(i + 1)));
    expect(frames.some((f) => f.event === 'status' && (f.data as { status: string }).status === 'succeeded')).toBe(
      true,
    );

    const job = await call('GET', `/jobs/${id}`, { as: 'viewer' });
    expect(job.body).toMatchObject({ id, status: 'succeeded', version: 1 });
    const list = await call('GET', '/jobs?model=trained&status=succeeded', { as: 'viewer' });
    expect((list.body.jobs as Array<{ id: string }>).map((j) => j.id)).toEqual([id]);
    expectProblem(await call('GET', '/jobs?status=weird'), 400);
    expectProblem(await call('GET', '/jobs/job-none'), 404);
    expectProblem(await call('GET', '/jobs/job-none/logs'), 404);
    const queued = await call('POST', '/jobs', { as: 'operator', body: { ...w.spec, model: 'trained2' } });
    const cancelled = await call('POST', `/jobs/${queued.body.id as string}/cancel`, {
      as: 'operator',
      body: { reason: 'not needed' },
    });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', error: 'not needed' });
    expectProblem(await call('POST', '/jobs/job-none/cancel', { as: 'operator', body: {} }), 404);
    expectProblem(await call('POST', '/models/m/retrain', { as: 'operator', body: {} }), 409); // no training spec configured
  }, 90_000);
});

describe('event stream', () => {
  it('streams controller events with ids and heartbeats, and resumes with Last-Event-ID', async () => {
    const headers = { authorization: `Bearer ${TOKENS.viewer}` };
    const res = await fetch(`${w.base}/events?model=e`, { headers });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const isFirst = (x: SseFrame): boolean => (x.data as { model?: string } | undefined)?.model === 'e';
    const pending = readSse(res, (f) => f.some(isFirst) && f.some((x) => x.comment === 'heartbeat'));
    await register(w.registry, 'e', 1);
    await w.controller.tick(); // e v1: its first deployment
    const first = await pending;
    const promoted = first.find(isFirst)!;
    expect(promoted.id).toMatch(/^[0-9a-f]{8}-\d+$/);
    expect(promoted.data).toMatchObject({ type: promoted.event, model: 'e', data: { version: 1 } });
    expect(promoted.event).toMatch(/^rollout\./);
    expect(first.some((f) => f.comment === 'heartbeat')).toBe(true);

    // while no client listens, v2 is registered and its rollout starts
    await register(w.registry, 'e', 2);
    await w.controller.tick();
    const resumed = await fetch(`${w.base}/events?model=e`, { headers: { ...headers, 'last-event-id': promoted.id! } });
    const missed = await readSse(resumed, (f) => f.some((x) => x.event === 'rollout.started'));
    const types = missed.filter((f) => f.event !== undefined).map((f) => f.event);
    expect(types).toEqual(['candidate.registered', 'rollout.started']);
    const ids = missed.filter((f) => f.id !== undefined).map((f) => Number(f.id!.split('-')[1]));
    expect(ids[0]).toBeGreaterThan(Number(promoted.id!.split('-')[1]));
    // a foreign id replays the whole buffer
    const foreign = await fetch(`${w.base}/events?model=e&lastEventId=deadbeef-1`, { headers });
    const all = await readSse(foreign, (f) => f.some((x) => x.event === 'rollout.started'));
    expect(all.filter((f) => f.event !== undefined).map((f) => f.event)).toEqual([
      promoted.event,
      'candidate.registered',
      'rollout.started',
    ]);
    expect(all.some((f) => f.comment?.startsWith('some events'))).toBe(true);
  });
});

describe('prediction log', () => {
  it('serves the query API: recent, by request id, and a time range page by page, with clear errors', async () => {
    const recent = await call('GET', '/predictions?model=m&limit=3', { as: 'viewer' });
    expect(recent.status).toBe(200);
    expect(recent.body.predictions).toMatchObject([
      { requestId: 'req-29' },
      { requestId: 'req-28' },
      { requestId: 'req-27' },
    ]);
    const one = await call('GET', '/predictions/req-4', { as: 'viewer' });
    expect(one.body.predictions).toEqual([
      expect.objectContaining({
        requestId: 'req-4',
        variant: 'production',
        modelVersion: 1,
        prediction: 4,
        input: { x: 4 },
      }),
    ]);
    const none = await call('GET', '/predictions/nope', { as: 'viewer' });
    expect(none.status).toBe(404);
    expect(none.body.detail).toMatch(/no logged prediction with request id "nope"/);
    // the candidate's rows of a 20-minute window, 4 per page
    const from = Date.UTC(2026, 11, 1, 8, 5);
    const to = Date.UTC(2026, 11, 1, 8, 25);
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const q = `variant=candidate&from=${from}&to=${to}&limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await call('GET', `/models/m/predictions?${q}`, { as: 'viewer' });
      expect(page.status).toBe(200);
      ids.push(...(page.body.predictions as Array<{ requestId: string }>).map((r) => r.requestId));
      cursor = page.body.next as string | undefined;
      pages++;
    } while (cursor);
    expect(ids).toEqual([5, 7, 9, 11, 13, 15, 17, 19, 21, 23].map((i) => `req-${i}`));
    expect(pages).toBe(3);
    // ISO times work as well; bad input names the field
    const iso = await call('GET', '/models/m/predictions?from=2026-12-01T08:00:00Z&to=2026-12-01T08:02:00Z', {
      as: 'viewer',
    });
    expect((iso.body.predictions as unknown[]).length).toBe(2);
    const missing = await call('GET', '/models/m/predictions?to=5', { as: 'viewer' });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toMatch(/from/);
    const backwards = await call('GET', '/models/m/predictions?from=10&to=5', { as: 'viewer' });
    expect(backwards.status).toBe(400);
    expect(backwards.body.detail).toMatch(/to: expected a time at or after from/);
    const limit = await call('GET', '/predictions?limit=100000', { as: 'viewer' });
    expect(limit.status).toBe(400);
    expect(JSON.stringify(limit.body)).toMatch(/limit/);
    // without the option the routes are not mounted
    const bare = createManagementRouter({
      registry: w.registry,
      auth: { tokens: [{ token: TOKENS.admin, id: 'a', role: 'admin' }] },
    });
    expect(bare.routes.some((r) => r.id.startsWith('predictions.'))).toBe(false);
    await bare.close();
  });
});

describe('audit', () => {
  it('records mutations (failed ones included) and is readable by admins only', async () => {
    expectProblem(await call('GET', '/audit', { as: 'operator' }), 403);
    const r = await call('PUT', '/models/free/aliases/qa', {
      as: 'operator',
      body: { version: 1 },
      headers: { 'x-request-id': 'audit-ok' },
    });
    expect(r.status).toBe(200);
    const f = await call('PUT', '/models/free/aliases/production', {
      as: 'operator',
      body: { version: 2 },
      headers: { 'x-request-id': 'audit-403' },
    });
    expect(f.status).toBe(403);
    const page = await call('GET', '/audit?limit=1000', { as: 'admin' });
    const records = page.body.records as Array<Record<string, unknown>>;
    expect(records.find((x) => x.requestId === 'audit-ok')).toMatchObject({
      actor: 'operator-jwt',
      role: 'operator',
      route: 'aliases.set',
      method: 'PUT',
      path: '/manage/models/free/aliases/qa',
      params: { name: 'free', alias: 'qa' },
      body: { version: 1 },
      status: 200,
    });
    expect(records.find((x) => x.requestId === 'audit-403')).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
      route: 'aliases.set',
    });
    expect(records.some((x) => x.route === 'models.list')).toBe(false); // reads are not audited
    const keys = await w.registry.store.list('audit/');
    expect(keys[0]).toMatch(/^audit\/\d{4}-\d{2}-\d{2}\/\d{15}-[0-9a-f]{16}\.json$/);
    const small = await call('GET', '/audit?limit=2', { as: 'admin' });
    expect((small.body.records as unknown[]).length).toBe(2);
    const next = await call('GET', `/audit?limit=2&after=${encodeURIComponent(small.body.next as string)}`, {
      as: 'admin',
    });
    expect((next.body.records as Array<{ id: string }>)[0]!.id).toBe(records[2]!.id);
    const mine = await call('GET', '/audit?actor=admin-1&limit=1000', { as: 'admin' });
    expect((mine.body.records as Array<{ actor: string }>).every((x) => x.actor === 'admin-1')).toBe(true);
  });
});

// ---- the authorization matrix ----------------------------------------------------------------

type Identity = keyof World['tokens'];
const IDENTITIES: readonly Identity[] = ['none', 'viewer', 'operator', 'admin', 'wrong', 'expired'];
const ROLE_OF: Partial<Record<Identity, Role>> = { viewer: 'viewer', operator: 'operator', admin: 'admin' };
interface Sample {
  params?: Record<string, string>;
  query?: string;
  body?: unknown;
}

/** One request per route (every route of the table must have one: a new route cannot escape the matrix). */
async function samples(): Promise<Record<string, Sample>> {
  const decision = (await w.controller.decisions('m'))[0]!.id;
  const job =
    (await w.jobs.list({ model: 'trained' }))[0]?.id ?? (await w.jobs.submit(validateTrainingSpec(w.spec))).id;
  return {
    'auth.whoami': {},
    'models.list': {},
    'models.get': { params: { name: 'm' } },
    'versions.list': { params: { name: 'm' } },
    'versions.search': { query: 'tag=team=risk' },
    'versions.get': { params: { name: 'm', version: '1' } },
    'datasets.list': {},
    'datasets.versions': { params: { name: 'ds' } },
    'datasets.get': { params: { name: 'ds', version: '1' } },
    'aliases.list': { params: { name: 'free' } },
    'aliases.set': { params: { name: 'free', alias: 'production' }, body: { version: 1 } },
    'aliases.history': { params: { name: 'free', alias: 'staging' } },
    'aliases.at': { params: { name: 'free', alias: 'staging' }, query: `time=${Date.now()}` },
    'aliases.rollback': { params: { name: 'free', alias: 'production' }, body: {} },
    'rollout.get': { params: { name: 'm' } },
    'rollout.start': { params: { name: 'free' }, body: { candidate: 3 } },
    'rollout.ramp': { params: { name: 'free' }, body: {} },
    'rollout.abort': { params: { name: 'free' }, body: {} },
    'models.promote': { params: { name: 'free' }, body: {} },
    'models.rollback': { params: { name: 'free' }, body: {} },
    'models.history': { params: { name: 'free' } },
    'models.state': { params: { name: 'm' } },
    'jobs.submit': { body: { ...w.spec, model: 'matrix' } },
    'jobs.list': {},
    'jobs.get': { params: { id: job } },
    'jobs.logs': { params: { id: job } },
    'jobs.cancel': { params: { id: job }, body: {} },
    'models.retrain': { params: { name: 'm' }, body: {} },
    'drift.get': { params: { name: 'm' } },
    'predictions.recent': { query: 'model=m&limit=5' },
    'predictions.get': { params: { requestId: 'req-3' } },
    'predictions.range': { params: { name: 'm' }, query: `from=0&to=${Date.UTC(2027, 0, 1)}` },
    'alerts.list': { params: { name: 'm' } },
    'alerts.acknowledge': { params: { name: 'm', id: 'drift-x' }, body: {} },
    'decisions.list': { params: { name: 'm' } },
    'decisions.get': { params: { name: 'm', id: decision } },
    'decisions.replay': { params: { name: 'm', id: decision }, body: {} },
    'approvals.list': { params: { name: 'a' } },
    'approvals.approve': { params: { name: 'a' }, body: {} },
    'approvals.reject': { params: { name: 'a' }, body: {} },
    'events.stream': {},
    'audit.list': {},
  };
}

function pathOf(route: ManagementRouteSpec, s: Sample): string {
  const p = route.path.replace(/:([A-Za-z]+)/g, (_, k: string) => encodeURIComponent(s.params?.[k] ?? ''));
  return s.query ? `${p}?${s.query}` : p;
}

describe('authorization matrix', () => {
  it('gives every route × identity the expected status, and audits every mutating call', async () => {
    const table = await samples();
    // the table is complete: every route of MANAGEMENT_ROUTES (all mounted here) has a sample, and no sample is stale
    expect(w.router.routes.map((r) => r.id).sort()).toEqual(MANAGEMENT_ROUTES.map((r) => r.id).sort());
    expect(Object.keys(table).sort()).toEqual(MANAGEMENT_ROUTES.map((r) => r.id).sort());
    const protectedAliases = new Set(['production']);
    const mutations: Array<{ requestId: string; status: number; route: string; identity: Identity }> = [];
    const failures: string[] = [];
    let n = 0;
    for (const route of MANAGEMENT_ROUTES as readonly ManagementRouteSpec[]) {
      const s = table[route.id]!;
      const need = requiredRole(route, s.params ?? {}, protectedAliases);
      for (const identity of IDENTITIES) {
        const requestId = `matrix-${++n}-${route.id}-${identity}`;
        const headers: Record<string, string> = { 'x-request-id': requestId };
        const token = w.tokens[identity];
        if (token !== undefined) headers.authorization = `Bearer ${token}`;
        if (s.body !== undefined) headers['content-type'] = 'application/json';
        const ac = new AbortController();
        const res = await fetch(`${w.base}${pathOf(route, s)}`, {
          method: route.method.toUpperCase(),
          headers,
          signal: ac.signal,
          ...(s.body !== undefined ? { body: JSON.stringify(s.body) } : {}),
        });
        const status = res.status;
        let body: unknown;
        if (route.stream && status === 200) ac.abort();
        else body = await res.json();
        const role = ROLE_OF[identity];
        const label = `${route.method.toUpperCase()} ${route.path} as ${identity} → ${status}`;
        if (role === undefined) {
          if (status !== 401) failures.push(`${label} (expected 401)`);
        } else if (!hasRole(role, need)) {
          if (status !== 403) failures.push(`${label} (expected 403, needs ${need})`);
        } else if (status === 401 || status === 403 || status >= 500) {
          failures.push(`${label} (expected 2xx or a domain 4xx): ${JSON.stringify(body)}`);
        } else if (status < 300 && !route.stream) {
          const parsed = route.response.safeParse(body);
          if (!parsed.success) failures.push(`${label}: response does not match its schema: ${parsed.error.message}`);
        }
        if (route.mutating) mutations.push({ requestId, status, route: route.id, identity });
      }
    }
    expect(failures).toEqual([]);
    // every mutating call of the matrix left an audit record with its status and caller
    const records: Array<Record<string, unknown>> = [];
    let after: string | undefined;
    do {
      const page = await call('GET', `/audit?limit=1000${after ? `&after=${encodeURIComponent(after)}` : ''}`, {
        as: 'admin',
      });
      records.push(...(page.body.records as Array<Record<string, unknown>>));
      after = page.body.next as string | undefined;
    } while (after);
    const byId = new Map(records.map((r) => [r.requestId as string, r]));
    const actorOf: Record<Identity, string | null> = {
      none: null,
      wrong: null,
      expired: null,
      viewer: 'viewer-1',
      operator: 'operator-jwt',
      admin: 'admin-1',
    };
    for (const m of mutations) {
      expect(byId.get(m.requestId), m.requestId).toMatchObject({
        status: m.status,
        route: m.route,
        actor: actorOf[m.identity],
      });
    }
    expect(mutations.length).toBe(MANAGEMENT_ROUTES.filter((r) => r.mutating).length * IDENTITIES.length);
  }, 120_000);
});
