/**
 * A profiling aid for the serving path (not a suite): starts the full serving router (`full`) or
 * bare Express (`bare`) over a linear model on 127.0.0.1, drives it with wrk at 32 connections for
 * N seconds and prints requests/s, p50/p99 and the server's CPU µs per request. Run it under
 * `node --cpu-prof --import tsx bench/_serving_profile.ts full 8` to see where a request's time goes.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { createRegistry, loadModel, MemoryStore, numericColumn, Table, type ModelArtifact } from '@modelship/core';
import { createAdaptersExpressBench } from './_serving_app.js';
import { createTrainer } from '@modelship/train';
const run = promisify(execFile);
const FEATURES = ['MedInc', 'HouseAge', 'AveRooms', 'AveBedrms', 'Population', 'AveOccup', 'Latitude', 'Longitude'];
const which = process.argv[2] ?? 'full';
const n = 2000;
const cols = FEATURES.map((_, j) =>
  Array.from({ length: n }, (_, i) => ((i * 7 + j * 13) % 97) / 97 + (j === 6 ? 33 : j === 7 ? -120 : 0)),
);
const y = cols[0]!.map((v, i) => 2 * v + cols[1]![i]!);
const table = Table.fromColumns([...FEATURES.map((f, j) => numericColumn(f, cols[j]!)), numericColumn('y', y)]);
const r = await createTrainer({
  task: 'regression',
  features: {
    features: FEATURES.map((column) => ({ type: 'numeric' as const, column })),
    target: { column: 'y', kind: 'numeric' },
  },
  variants: { m: { learner: 'linear' } },
} as never).fit(table);
const registry = createRegistry<ModelArtifact>({ store: new MemoryStore() });
await registry.register('cal', r.artifact);
await registry.deploy('cal', 1);
const model = loadModel((await registry.load('cal', 1)).bytes);
const apps = await createAdaptersExpressBench(registry, model);
const app = which === 'full' ? apps.full : apps.bare;
const server = await new Promise<import('node:http').Server>((res) => {
  const s = app.listen(0, '127.0.0.1', () => res(s));
});
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/predict`;
const secs = process.argv[3] ?? '8';
const cpu0 = process.cpuUsage();
const { stdout } = await run('wrk', [
  '-t1',
  '-c32',
  `-d${secs}s`,
  '--latency',
  '-s',
  '/work/shared/peer/wrk_post.lua',
  url,
]);
const cpu = process.cpuUsage(cpu0);
const reqs = Number(/"requests":(\d+)/.exec(stdout)![1]);
console.log(which, 'cpu us/req', ((cpu.user + cpu.system) / reqs).toFixed(1), 'user', (cpu.user / reqs).toFixed(1));
console.log(
  which,
  stdout
    .split('\n')
    .filter((l) => /Requests\/sec|99%|50%|JSON/.test(l))
    .join('\n'),
);
server.closeAllConnections();
server.close();
await apps.close();
