import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { responseChecker } from './openapi-check.js';
import { type Served, startServing } from './serving-fixture.js';

let s: Served;
let checker: ReturnType<typeof responseChecker>;
let limited = false;

/** fetch + check every answer against the OpenAPI document. */
async function call(
  method: string,
  path: string,
  init: { body?: string | Uint8Array; headers?: Record<string, string> } = {},
) {
  const res = await fetch(`${s.base}${path}`, { method, ...init });
  const type = res.headers.get('content-type') ?? '';
  const raw = new Uint8Array(await res.arrayBuffer());
  let body: unknown;
  const hl = res.headers.get('inference-header-content-length');
  if (hl !== null) body = JSON.parse(Buffer.from(raw.subarray(0, Number(hl))).toString());
  else if (type.includes('json'))
    body = raw.length > 1 ? JSON.parse(Buffer.from(raw).toString()) : Buffer.from(raw).toString();
  else body = Buffer.from(raw).toString();
  if (res.status >= 400) expect(type).toContain('application/problem+json');
  if (path !== '/openapi.json')
    checker.check(method, path.split('?')[0]!, res.status, hl !== null ? 'application/json' : type, body);
  // biome-ignore lint/suspicious/noExplicitAny: the tests read answers field by field after the OpenAPI check
  return { res, body: body as any, raw };
}

const row = { rooms: 5, bedrooms: 2, city: 'a' };

beforeAll(async () => {
  s = await startServing({
    rules: {
      houses: (r) =>
        (r.rooms as number) < (r.bedrooms as number)
          ? { field: 'rooms', message: 'rooms must be >= bedrooms' }
          : undefined,
    },
    rateLimit: (req) => (limited && req.path === '/predict' ? { retryAfterSeconds: 2 } : true),
  });
  const doc = (await (await fetch(`${s.base}/openapi.json`)).json()) as Record<string, unknown>;
  checker = responseChecker(doc);
});
afterAll(() => s.close());

describe('OpenAPI', () => {
  it('is a valid OpenAPI 3.1 document (independent validator)', async () => {
    const doc = await (await fetch(`${s.base}/openapi.json`)).json();
    const v = new Validator();
    const r = await v.validate(doc as never);
    expect(r.errors ?? []).toEqual([]);
    expect(r.valid).toBe(true);
    expect(v.version).toBe('3.1');
  });
  it("carries each served model's row schema, offered as a typed body of POST /predict", async () => {
    const doc = (await (await fetch(`${s.base}/openapi.json`)).json()) as {
      components: { schemas: Record<string, { properties: Record<string, { type: unknown }>; required: string[] }> };
      paths: Record<string, { post: { requestBody: { content: Record<string, { schema: { anyOf: unknown[] } }> } } }>;
    };
    const rowSchema = doc.components.schemas['houses.row']!;
    expect(Object.keys(rowSchema.properties).sort()).toEqual(Object.keys(row).sort());
    expect(rowSchema.properties.rooms!.type).toBe('number');
    expect(rowSchema.properties.city!.type).toBe('string');
    expect(rowSchema.required.sort()).toEqual(Object.keys(row).sort());
    expect(doc.paths['/predict']!.post.requestBody.content['application/json']!.schema.anyOf).toContainEqual({
      $ref: '#/components/schemas/houses.predictRequest',
    });
  });
});

describe('serving routes over a real socket', () => {
  it('POST /predict answers one row with variant, version, ids and headers', async () => {
    const { res, body } = await call('POST', '/predict', {
      body: JSON.stringify(row),
      headers: { 'content-type': 'application/json', 'x-unit-key': 'u1', 'x-request-id': 'abc-123' },
    });
    expect(res.status).toBe(200);
    expect(typeof body.prediction).toBe('number');
    expect(body).toMatchObject({ variant: 'production', version: 1, model: 'houses', revision: 1 });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    expect(res.headers.get('x-model-version')).toBe('1');
    expect(res.headers.get('x-rollout-revision')).toBe('1');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff'); // helmet
  });
  it('POST /predict with { rows } and explain answers a batch with the explanation note', async () => {
    const { res, body } = await call('POST', '/predict', {
      body: JSON.stringify({ rows: [row, { ...row, rooms: 7 }], explain: true, unit: 'u2' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(body.predictions).toHaveLength(2);
    expect(body.predictions[0].explanation.available).toBe(false);
    expect(body.predictions[0].explanation.note).toContain("'linear'");
  });
  it('POST /predict/batch and /feedback', async () => {
    const { body } = await call('POST', '/predict/batch', {
      body: JSON.stringify({ rows: [row] }),
      headers: { 'content-type': 'application/json' },
    });
    const id = body.predictions[0].requestId;
    const fb = await call('POST', '/feedback', {
      body: JSON.stringify({ requestId: id, actual: 20 }),
      headers: { 'content-type': 'application/json' },
    });
    expect(fb.res.status).toBe(200);
    expect(fb.body).toMatchObject({ recorded: true, variant: 'production', version: 1 });
    const dup = await call('POST', '/feedback', {
      body: JSON.stringify({ requestId: id, actual: 20 }),
      headers: { 'content-type': 'application/json' },
    });
    expect(dup.res.status).toBe(409);
    const forged = await call('POST', '/feedback', {
      body: JSON.stringify({ requestId: 'nope', rating: 3 }),
      headers: { 'content-type': 'application/json' },
    });
    expect(forged.res.status).toBe(400);
  });
  it('health, ready, models, metrics, metrics.json', async () => {
    expect((await call('GET', '/health')).body).toEqual({ status: 'ok' });
    expect((await call('GET', '/ready')).body.status).toBe('ready');
    const m = await call('GET', '/models/houses');
    expect(m.body).toMatchObject({
      name: 'houses',
      version: 1,
      task: 'regression',
      rollout: { production: 1, revision: 1 },
    });
    expect([...m.body.inputColumns].sort()).toEqual(['bedrooms', 'city', 'rooms']);
    expect((await call('GET', '/models/nope')).res.status).toBe(404);
    const metrics = await call('GET', '/metrics');
    expect(metrics.body).toContain('modelship_predictions_total');
    const agg = await call('GET', '/metrics.json');
    expect(agg.body.models.houses).toBeTypeOf('object');
  });
  it('errors: 400 with field and expected, 404, 405, 413, 415, 422, 429', async () => {
    const bad = await call('POST', '/predict', {
      body: JSON.stringify({ ...row, rooms: 'x' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.res.status).toBe(400);
    expect(bad.body).toMatchObject({ field: 'rooms', status: 400 });
    expect(bad.body.expected).toMatch(/expected a number/);
    expect(JSON.stringify(bad.body)).not.toMatch(/at .*\.ts/);
    const batchBad = await call('POST', '/predict/batch', {
      body: JSON.stringify({ rows: [row, { bedrooms: 1, city: 'a' }] }),
      headers: { 'content-type': 'application/json' },
    });
    expect(batchBad.body.field).toBe('rows[1].rooms');
    const rule = await call('POST', '/predict', {
      body: JSON.stringify({ rooms: 1, bedrooms: 3, city: 'a' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(rule.res.status).toBe(422);
    expect(rule.body.field).toBe('rooms');
    expect(
      (await call('POST', '/predict', { body: '{"rooms":', headers: { 'content-type': 'application/json' } })).res
        .status,
    ).toBe(400);
    expect(
      (await call('POST', '/predict', { body: 'rooms=1', headers: { 'content-type': 'text/plain' } })).res.status,
    ).toBe(415);
    const big = JSON.stringify({ ...row, pad: 'x'.repeat(100_000) });
    expect(
      (await call('POST', '/predict', { body: big, headers: { 'content-type': 'application/json' } })).res.status,
    ).toBe(413);
    expect(
      (
        await call('POST', '/predict/batch', {
          body: big.replace('{', '{"rows":[{"rooms":5,"bedrooms":2,"city":"a"}],"x":{') + '}',
          headers: { 'content-type': 'application/json' },
        })
      ).res.status,
    ).not.toBe(413);
    expect((await call('GET', '/nowhere')).res.status).toBe(404);
    const m405 = await call('DELETE', '/predict');
    expect(m405.res.status).toBe(405);
    expect(m405.res.headers.get('allow')).toContain('POST');
    limited = true;
    const rl = await call('POST', '/predict', {
      body: JSON.stringify(row),
      headers: { 'content-type': 'application/json' },
    });
    limited = false;
    expect(rl.res.status).toBe(429);
    expect(rl.res.headers.get('retry-after')).toBe('2');
  });
});

describe('Open Inference Protocol V2', () => {
  it('server, health and model metadata', async () => {
    expect((await call('GET', '/v2')).body.extensions).toContain('binary_tensor_data');
    expect((await call('GET', '/v2/health/live')).body).toEqual({ live: true });
    expect((await call('GET', '/v2/health/ready')).body).toEqual({ ready: true });
    const meta = await call('GET', '/v2/models/houses');
    expect(meta.body.inputs.map((i: { name: string }) => i.name).sort()).toEqual(['bedrooms', 'city', 'rooms']);
    expect((await call('GET', '/v2/models/houses/versions/1')).res.status).toBe(200);
    expect((await call('GET', '/v2/models/houses/versions/9')).res.status).toBe(404);
    expect((await call('GET', '/v2/models/houses/ready')).body).toEqual({ name: 'houses', ready: true });
    expect((await call('GET', '/v2/models/houses/versions/1/ready')).res.status).toBe(200);
  });
  it('JSON inference, one tensor per column', async () => {
    const req = {
      id: 'r1',
      inputs: [
        { name: 'rooms', shape: [2], datatype: 'FP32', data: [5, 6] },
        { name: 'bedrooms', shape: [2, 1], datatype: 'INT64', data: [[2], [3]] },
        { name: 'city', shape: [2], datatype: 'BYTES', data: ['a', 'b'] },
      ],
    };
    const { res, body } = await call('POST', '/v2/models/houses/infer', {
      body: JSON.stringify(req),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(body.outputs[0]).toMatchObject({ name: 'prediction', datatype: 'FP64', shape: [2] });
    expect(body.id).toBe('r1');
    const direct = await call('POST', '/predict', {
      body: JSON.stringify({ rooms: 6, bedrooms: 3, city: 'b' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(body.outputs[0].data[1]).toBeCloseTo(direct.body.prediction, 9);
  });
  it('binary tensors as tritonclient.http builds them (JSON header + LE bytes, binary output)', async () => {
    const n = 3;
    const rooms = new Float32Array([5, 6, 7]);
    const bedrooms = new Float64Array([2, 2, 3]);
    const cities = ['a', 'b', 'a'].map((c) => Buffer.from(c));
    const cityBytes = Buffer.concat(
      cities.flatMap((c) => {
        const l = Buffer.alloc(4);
        l.writeUInt32LE(c.length);
        return [l, c];
      }),
    );
    const head = Buffer.from(
      JSON.stringify({
        inputs: [
          { name: 'rooms', shape: [n], datatype: 'FP32', parameters: { binary_data_size: rooms.byteLength } },
          { name: 'bedrooms', shape: [n], datatype: 'FP64', parameters: { binary_data_size: bedrooms.byteLength } },
          { name: 'city', shape: [n], datatype: 'BYTES', parameters: { binary_data_size: cityBytes.length } },
        ],
        outputs: [
          { name: 'prediction', parameters: { binary_data: true } },
          { name: 'request_id', parameters: { binary_data: false } },
        ],
      }),
    );
    const body = Buffer.concat([head, Buffer.from(rooms.buffer), Buffer.from(bedrooms.buffer), cityBytes]);
    const {
      res,
      body: json,
      raw,
    } = await call('POST', '/v2/models/houses/infer', {
      body,
      headers: { 'inference-header-content-length': String(head.length), 'content-type': 'application/octet-stream' },
    });
    expect(res.status).toBe(200);
    const hl = Number(res.headers.get('inference-header-content-length'));
    expect(json.outputs[0].parameters.binary_data_size).toBe(24);
    const values = new Float64Array(raw.slice(hl, hl + 24).buffer);
    expect(values).toHaveLength(3);
    expect(json.outputs[1].data).toHaveLength(3);
    // one 2-D tensor is refused for a model with a categorical column, with a clear message
    const twoD = JSON.stringify({ inputs: [{ name: 'houses', shape: [1, 3], datatype: 'FP64', data: [5, 2, 1] }] });
    const r2 = await call('POST', '/v2/models/houses/infer', {
      body: twoD,
      headers: { 'content-type': 'application/json' },
    });
    expect(r2.res.status).toBe(400);
    expect(r2.body.error).toMatch(/categorical/);
    const short = Buffer.concat([head, Buffer.from(rooms.buffer)]);
    expect(
      (
        await call('POST', '/v2/models/houses/infer', {
          body: short,
          headers: { 'inference-header-content-length': String(head.length) },
        })
      ).res.status,
    ).toBe(400);
  });
});

describe('MLflow scoring', () => {
  const json = { 'content-type': 'application/json' };
  it('answers the four JSON forms and CSV with { predictions }', async () => {
    const forms = [
      {
        dataframe_split: {
          columns: ['rooms', 'bedrooms', 'city'],
          data: [
            [5, 2, 'a'],
            [6, 3, 'b'],
          ],
        },
      },
      { dataframe_records: [row, { rooms: 6, bedrooms: 3, city: 'b' }] },
      { instances: [row, { rooms: 6, bedrooms: 3, city: 'b' }] },
      { inputs: { rooms: [5, 6], bedrooms: [2, 3], city: ['a', 'b'] } },
    ];
    const answers = [];
    for (const f of forms) {
      const { res, body } = await call('POST', '/invocations', { body: JSON.stringify(f), headers: json });
      expect(res.status).toBe(200);
      answers.push(body.predictions);
    }
    const csv = await call('POST', '/invocations', {
      body: 'rooms,bedrooms,city\n5,2,a\n6,3,"b"\n',
      headers: { 'content-type': 'text/csv' },
    });
    answers.push(csv.body.predictions);
    for (const a of answers) expect(a).toEqual(answers[0]);
    expect((await call('POST', '/invocations', { body: JSON.stringify({ foo: 1 }), headers: json })).res.status).toBe(
      400,
    );
    expect((await call('GET', '/ping')).res.status).toBe(200);
    expect((await call('GET', '/version')).body).toBe('0.0.0');
  });
});

describe('hot swap and readiness', () => {
  it('serves the candidate after startRollout, and /ready is 503 while draining', async () => {
    const r = await s.registry.startRollout('houses', { candidate: 2, mode: 'split', weight: 1 } as never).catch(() =>
      s.registry.setRollout('houses', {
        production: 1,
        candidate: 2,
        weights: { production: 0, candidate: 1 },
        mode: 'split',
        salt: 's',
      }),
    );
    await s.router.waitForRevision(r.revision, { timeoutMs: 5000 });
    const { res } = await call('POST', '/predict', {
      body: JSON.stringify(row),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.headers.get('x-rollout-revision')).toBe(String(r.revision));
    expect(['1', '2']).toContain(res.headers.get('x-model-version'));
    s.serving.drain();
    const ready = await call('GET', '/ready');
    expect(ready.res.status).toBe(503);
    expect(checker.checked).toBeGreaterThan(30);
  });
});
