/**
 * 20,000 seeded random and malformed requests (bodies, headers, methods, paths, content types,
 * sizes, __proto__ / constructor payloads) over a real socket: never a 5xx, never a crash,
 * Object.prototype untouched, and heapUsed after GC flat between 5k and 20k requests (bound:
 * +16 MB). The GC is real: vitest.config.ts runs this project in forks with `--expose-gc`; without
 * it (another pool, a bare `vitest` config) the test turns the flag on itself (v8.setFlagsFromString
 * + vm.runInNewContext('gc')), and it proves the function collects (a dropped 64 MB is freed)
 * before it trusts the heap figures — the check is never silently skipped.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Served, startServing } from './serving-fixture.js';

let s: Served;
beforeAll(async () => {
  s = await startServing(
    {
      rules: {
        houses: (r) =>
          (r.rooms as number) < (r.bedrooms as number) ? { field: 'rooms', message: 'rooms >= bedrooms' } : undefined,
      },
    },
    1,
  );
});
afterAll(() => s.close());

/** `global.gc` (from --expose-gc) or one obtained at run time; throws unless it really collects. */
function realGc(): () => void {
  let gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('typeof gc === "function" ? gc : undefined') as (() => void) | undefined;
  }
  if (typeof gc !== 'function') throw new Error('fuzz: no GC available (run node with --expose-gc)');
  const collect = gc;
  collect();
  const before = process.memoryUsage().heapUsed;
  let garbage: number[][] | undefined = Array.from({ length: 64 }, () => new Array<number>(131_072).fill(1.5));
  const held = process.memoryUsage().heapUsed;
  garbage.length = 0;
  garbage = undefined;
  collect();
  const after = process.memoryUsage().heapUsed;
  if (held - before < 48 * 2 ** 20 || held - after < 48 * 2 ** 20)
    throw new Error(`fuzz: gc() does not collect (heap ${before} → ${held} → ${after} bytes)`);
  return collect;
}

function rng(seed: number) {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
}

it('survives 20,000 random and malformed requests', async () => {
  const u = rng(20260101);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(u() * xs.length)]!;
  const paths = [
    '/predict',
    '/predict/batch',
    '/feedback',
    '/health',
    '/ready',
    '/models/houses',
    '/models/__proto__',
    '/metrics.json',
    '/v2',
    '/v2/models/houses/infer',
    '/v2/models/houses/versions/1/infer',
    '/v2/models/constructor',
    '/v2/models/houses/versions/0/ready',
    '/invocations',
    '/ping',
    '/%E0%A4%A',
    '/predict/../health',
    '/x'.repeat(50),
    '/openapi.json',
  ];
  const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
  const types = [
    'application/json',
    'application/json; charset=utf-8',
    'text/csv',
    'text/plain',
    'application/octet-stream',
    'application/x-www-form-urlencoded',
    'application/json; charset=latin-9',
    '',
    'multipart/form-data; boundary=x',
    'application/merge-patch+json',
  ];
  const values = [
    0,
    -1,
    1e308,
    -0,
    'a',
    '',
    null,
    true,
    [],
    {},
    [1, 2],
    { __proto__: { polluted: 1 } },
    'NaN',
    1.5,
    2 ** 53,
    '💥',
  ];
  const bodies = (): string | Uint8Array => {
    switch (Math.floor(u() * 12)) {
      case 0:
        return JSON.stringify({ rooms: pick(values), bedrooms: pick(values), city: pick(values) });
      case 1:
        return '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"rooms":3,"bedrooms":1,"city":"a"}';
      case 2:
        return JSON.stringify({
          rows: Array.from({ length: Math.floor(u() * 5) }, () => ({ rooms: pick(values), bedrooms: 1, city: 'a' })),
          units: pick(values),
        });
      case 3:
        return JSON.stringify({
          inputs: [
            {
              name: pick(['rooms', '__proto__', 'constructor', 'x']),
              shape: [pick([1, 2, -1, 1e9])],
              datatype: pick(['FP32', 'BYTES', 'X', 'INT64']),
              data: [pick(values)],
            },
          ],
        });
      case 4:
        return Buffer.from(Array.from({ length: Math.floor(u() * 200) }, () => Math.floor(u() * 256)));
      case 5:
        return (
          'rooms,bedrooms,city\n' + Array.from({ length: 3 }, () => `${pick(values)},"${pick(values)}",a`).join('\n')
        );
      case 6:
        return JSON.stringify({ dataframe_split: { columns: ['__proto__', 'rooms'], data: [[1, 2]] } });
      case 7:
        return '{"rooms":'.repeat(Math.floor(u() * 50));
      case 8:
        return JSON.stringify({ requestId: pick(['x', 'a.b.c', '']), actual: pick(values), rating: pick(values) });
      case 9:
        return 'x'.repeat(Math.floor(u() * 200_000));
      case 10:
        return JSON.stringify({ instances: pick([[[1, 2, 3]], { rooms: [1], __proto__: [2] }, 'x']) });
      default:
        return '';
    }
  };
  let fiveK = 0;
  let statuses = new Map<number, number>();
  const gc = realGc();
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const one = async () => {
    const method = u() < 0.6 ? 'POST' : pick(methods);
    const headers: Record<string, string> = {};
    const t = pick(types);
    if (t) headers['content-type'] = t;
    if (u() < 0.3) headers['inference-header-content-length'] = pick(['0', '5', '-1', 'abc', '999999', '10']);
    if (u() < 0.2) headers['x-request-id'] = pick(['ok-1', '\u00e9', 'x'.repeat(300), '../../']);
    if (u() < 0.2) headers['x-modelship-variant'] = pick(['candidate', 'nope', '__proto__', 'production']);
    if (u() < 0.2) headers['x-unit-key'] = pick(['u', '', 'x'.repeat(1000)]);
    const init: RequestInit = { method, headers };
    if (method !== 'GET' && method !== 'HEAD') init.body = bodies();
    const res = await fetch(`${s.base}${pick(paths)}${u() < 0.1 ? '?explain=maybe' : ''}`, init);
    await res.arrayBuffer();
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.status >= 500) throw new Error(`${res.status} on ${method}`);
  };
  const total = 20_000;
  const concurrency = 16;
  let done = 0;
  const worker = async () => {
    while (done < total) {
      done++;
      await one();
      if (done === 5000 && fiveK === 0) fiveK = heap();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const end = heap();
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
  expect([...statuses.keys()].filter((k) => k >= 500)).toEqual([]);
  expect(statuses.get(200) ?? 0).toBeGreaterThan(100);
  expect(end - fiveK).toBeLessThan(16 * 2 ** 20);
  console.log(
    'fuzz statuses',
    Object.fromEntries(statuses),
    'heap MB at 5k/20k',
    (fiveK / 2 ** 20).toFixed(1),
    (end / 2 ** 20).toFixed(1),
    `(after GC; delta ${((end - fiveK) / 2 ** 20).toFixed(1)} MB, bound +16 MB)`,
  );
  statuses = new Map();
}, 120_000);
