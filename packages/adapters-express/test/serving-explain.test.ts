import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { responseChecker } from './openapi-check.js';
import { type Served, startServing, trainGbdtHouses } from './serving-fixture.js';

let s: Served;
let checker: ReturnType<typeof responseChecker>;

beforeAll(async () => {
  s = await startServing({}, 1, {}, (v) => trainGbdtHouses(11 * v));
  checker = responseChecker((await (await fetch(`${s.base}/openapi.json`)).json()) as Record<string, unknown>);
});
afterAll(() => s.close());

/** POSTs JSON over the socket and checks the answer against the OpenAPI document. */
async function post(path: string, body: unknown) {
  const res = await fetch(`${s.base}${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  const json = await res.json();
  checker.check('POST', path.split('?')[0]!, res.status, res.headers.get('content-type') ?? '', json);
  // biome-ignore lint/suspicious/noExplicitAny: read field by field after the OpenAPI check
  return { res, body: json as any };
}

interface Out {
  name: string;
  expectedValue: number;
  output: number;
  columns: Record<string, number>;
  features: Record<string, number>;
}

describe('explanations over a real socket (a gbdt model: exact TreeSHAP)', () => {
  const row = { rooms: 6, bedrooms: 2, city: 'a' };

  it('POST /predict { row, explain: true } returns per-column contributions that add up to the prediction', async () => {
    const { res, body } = await post('/predict', { row, explain: true });
    expect(res.status).toBe(200);
    const e = body.explanation;
    expect(e).toMatchObject({ available: true, method: 'tree-shap', space: 'value' });
    const o = e.outputs[0] as Out;
    expect(o.name).toBe('value');
    expect(Object.keys(o.columns).sort()).toEqual(['bedrooms', 'city', 'rooms']);
    const total = Object.values(o.columns).reduce((a, v) => a + v, o.expectedValue);
    expect(Math.abs(total - body.prediction)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(o.output - body.prediction)).toBeLessThanOrEqual(1e-9);
    // the one-hot levels of city are summed into city
    const levels = Object.entries(o.features).filter(([f]) => f.startsWith('city='));
    expect(levels.length).toBeGreaterThan(0);
    expect(Math.abs(levels.reduce((a, [, v]) => a + v, 0) - o.columns.city!)).toBeLessThanOrEqual(1e-12);
    // rooms (slope 3 in the data) matters more than bedrooms (slope 1) for a row 1.3 rooms above the mean
    expect(Math.abs(o.columns.rooms!)).toBeGreaterThan(Math.abs(o.columns.bedrooms!));
  });

  it('?explain=true on a bare row, and explain on a batch, explain every row; without it there is none', async () => {
    const one = await post('/predict?explain=true', row);
    expect(one.body.explanation.available).toBe(true);
    const batch = await post('/predict/batch', { rows: [row, { ...row, city: 'b' }], explain: true });
    expect(batch.body.predictions.map((p: { explanation: { available: boolean } }) => p.explanation.available)).toEqual(
      [true, true],
    );
    const [a, b] = batch.body.predictions.map((p: { explanation: { outputs: Out[] } }) => p.explanation.outputs[0]!);
    expect(a.columns.city).not.toBe(b.columns.city);
    const plain = await post('/predict', { row });
    expect(plain.body.explanation).toBeUndefined();
  });
});
