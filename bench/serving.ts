/**
 * Serving benchmark (`npm run bench -- serving [seconds]`): wrk at 1 and 32 connections against
 * - `linear`: the full serving router (helmet, request ids, validation, routing, prediction log,
 *   prom-client metrics) with a linear model,
 * - `forest`: the same with a 100-tree random forest,
 * - `bare-express-linear`: bare Express (express.json + model.predict + res.json), same model,
 * beside the FastAPI + uvicorn peer (`../shared/peer/run.sh serving <seconds>`) run in the same
 * process tree before ours. Rows have the peer's eight California feature names (synthetic
 * values, so the bench needs no data download); the body is the peer's wrk_post.lua row.
 * Writes bench/results/serving.json: { case, connections, rps, p50Ms, p99Ms, peerRps }.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRegistry, loadModel, MemoryStore, numericColumn, Table, type ModelArtifact } from '@modelship/core';
import { createAdaptersExpressBench } from './_serving_app.js';
import { createTrainer } from '@modelship/train';
import { loadAverage, writeResults, type BenchRecord } from './_lib.js';

const SECONDS = Number(process.argv[2] ?? 30);
const FEATURES = ['MedInc', 'HouseAge', 'AveRooms', 'AveBedrms', 'Population', 'AveOccup', 'Latitude', 'Longitude'];
const PEER = '/work/shared/peer';
const LUA = `${PEER}/wrk_post.lua`;

async function train(learner: 'linear' | 'forest'): Promise<ModelArtifact> {
  let s = 7;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const n = 4000;
  const cols = FEATURES.map(() => Array.from({ length: n }, () => u()));
  cols[6] = cols[6]!.map((x) => 32.5 + 9 * x);
  cols[7] = cols[7]!.map((x) => -124.3 + 10 * x);
  const y = Array.from({ length: n }, (_, i) => 2 * cols[0]![i]! + Math.sin(cols[1]![i]! * 6) + 0.1 * u());
  const table = Table.fromColumns([...FEATURES.map((f, j) => numericColumn(f, cols[j]!)), numericColumn('y', y)]);
  const r = await createTrainer({
    task: 'regression',
    features: {
      features: FEATURES.map((column) => ({ type: 'numeric' as const, column })),
      target: { column: 'y', kind: 'numeric' },
    },
    variants: { m: learner === 'linear' ? { learner: 'linear' } : { learner: 'forest', params: { trees: 100 } } },
  } as never).fit(table);
  return r.artifact;
}

/** wrk as a child process, awaited (never a sync call: the server answers on this event loop). */
async function wrk(
  url: string,
  connections: number,
  seconds: number,
): Promise<{ rps: number; p50Ms: number; p99Ms: number; non2xx: number }> {
  const { stdout: out } = await execFileAsync(
    'wrk',
    ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', LUA, url],
    { encoding: 'utf8' },
  );
  const line = out.split('\n').find((l) => l.startsWith('JSON '));
  const j = JSON.parse(line!.slice(5)) as { rps: number; p50_ms: number; p99_ms: number; errors_status: number };
  return { rps: Math.round(j.rps), p50Ms: j.p50_ms, p99Ms: j.p99_ms, non2xx: j.errors_status };
}

function peer(): Record<string, Record<number, number>> {
  const out: Record<string, Record<number, number>> = {};
  if (process.env.PEER_SKIP !== '1') {
    const r = spawnSync('bash', [`${PEER}/run.sh`, 'serving', String(SECONDS)], { stdio: 'inherit', env: process.env });
    if (r.status !== 0) console.error('peer run failed; peerRps left out');
  }
  const file = `${process.env.PEER_OUT ?? '/tmp/modelship-peer'}/py_serving.jsonl`;
  if (!existsSync(file)) return out;
  for (const l of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const j = JSON.parse(l) as { stack: string; model: string; connections: number; wrk: { rps: number } };
    if (j.stack !== 'httptools+uvloop') continue; // the faster peer stack
    (out[j.model] ??= {})[j.connections] = Math.round(j.wrk.rps);
  }
  return out;
}

async function listen(app: {
  listen: (p: number, h: string, cb: () => void) => Server;
}): Promise<{ server: Server; url: string }> {
  const server = await new Promise<Server>((res) => {
    const s = app.listen(0, '127.0.0.1', () => res(s));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/predict` };
}

async function main(): Promise<void> {
  const peerRps = peer();
  const records: BenchRecord[] = [];
  for (const kind of ['linear', 'forest'] as const) {
    const artifact = await train(kind);
    const registry = createRegistry<ModelArtifact>({ store: new MemoryStore() });
    await registry.register('cal', artifact);
    await registry.deploy('cal', 1);
    const model = loadModel((await registry.load('cal', 1)).bytes);
    const apps = await createAdaptersExpressBench(registry, model);
    const cases: [string, typeof apps.full][] = [[kind, apps.full]];
    if (kind === 'linear') cases.push(['bare-express-linear', apps.bare]);
    for (const [name, app] of cases) {
      const { server, url } = await listen(app);
      await wrk(url, 8, 2); // warm-up
      for (const c of [1, 32]) {
        const r = await wrk(url, c, SECONDS);
        const p = peerRps[kind === 'linear' ? 'linreg' : 'rf']?.[c];
        records.push({
          case: name,
          connections: c,
          rps: r.rps,
          p50Ms: r.p50Ms,
          p99Ms: r.p99Ms,
          peerRps: name === 'bare-express-linear' ? null : (p ?? null),
          non2xx: r.non2xx,
        });
      }
      server.closeAllConnections();
      server.close();
    }
    await apps.close();
  }
  const get = (c: string, n: number) => records.find((r) => r.case === c && r.connections === n);
  const lin = get('linear', 32);
  const bare = get('bare-express-linear', 32);
  const forest = get('forest', 32);
  records.push({
    case: 'summary',
    linearOverBare32: lin && bare ? Number(((lin.rps as number) / (bare.rps as number)).toFixed(3)) : null,
    forestOverPeer32: forest?.peerRps ? Number(((forest.rps as number) / (forest.peerRps as number)).toFixed(1)) : null,
    seconds: SECONDS,
    loadAverage: loadAverage(),
    note: 'one wrk thread; 2 shared cores, loaded by other work; peer = FastAPI + uvicorn httptools+uvloop, 1 worker, same run',
  });
  writeResults('serving', records);
}

await main();
