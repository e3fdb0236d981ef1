/**
 * A load test of the Bangalore seed's predict endpoint: starts the local app (Bangalore only, no
 * simulator, no challenger, a fresh registry folder), waits until it serves, then runs
 *   wrk -t2 -c32 -d15s --latency -s <POST script> http://127.0.0.1:PORT/api/predict_home_price
 * and prints wrk's output and a one-line summary (requests/s, p50, p99, non-2xx).
 *
 * Run from examples/local (needs wrk, and the Bangalore CSV in MODELSHIP_DATA_DIR):
 *   MODELSHIP_DATA_DIR=/work/shared/datasets npx tsx bench-bangalore.mjs [--duration 15s] [--connections 32]
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startLocal } from './src/app.ts';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const duration = flag('--duration', '15s');
const connections = flag('--connections', '32');
const threads = flag('--threads', '2');

const dir = mkdtempSync(join(tmpdir(), 'modelship-bench-bangalore-'));
const lua = join(dir, 'predict.lua');
writeFileSync(
  lua,
  [
    'wrk.method = "POST"',
    'wrk.body = "location=Whitefield&total_sqft=1200&bhk=2&bath=2"',
    'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"',
    '',
  ].join('\n'),
);

const t0 = Date.now();
const handle = await startLocal({
  registryDir: join(dir, 'registry'),
  port: 0,
  pipelines: ['bangalore'],
  simulate: false,
  challenger: false,
});
let code = 0;
try {
  if (!handle.pipelines.includes('bangalore'))
    throw new Error(`bangalore is not served: ${handle.skipped.bangalore ?? 'unknown reason'}`);
  await handle.ready;
  const probe = await fetch(`${handle.url}/api/predict_home_price`, {
    method: 'POST',
    body: new URLSearchParams({ location: 'Whitefield', total_sqft: '1200', bhk: '2', bath: '2' }),
  });
  if (!probe.ok) throw new Error(`probe: HTTP ${probe.status} ${await probe.text()}`);
  process.stdout.write(`served after ${Date.now() - t0} ms; probe: ${await probe.text()}\n`);
  const url = `${handle.url}/api/predict_home_price`;
  const wrkArgs = ['-t', threads, '-c', connections, '-d', duration, '--latency', '-s', lua, url];
  process.stdout.write(`wrk ${wrkArgs.join(' ')}\n`);
  const { stdout } = await promisify(execFile)('wrk', wrkArgs, { maxBuffer: 1 << 20 });
  process.stdout.write(stdout);
  const rps = /Requests\/sec:\s+([0-9.]+)/.exec(stdout)?.[1];
  const p50 = /^\s+50%\s+(\S+)/m.exec(stdout)?.[1];
  const p99 = /^\s+99%\s+(\S+)/m.exec(stdout)?.[1];
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? '0';
  const errors = /Socket errors:[^\n]*/.exec(stdout)?.[0] ?? 'Socket errors: none';
  process.stdout.write(
    `\nbangalore predict, ${connections} connections, ${duration}: ${rps} req/s, p50 ${p50}, p99 ${p99}, non-2xx ${non2xx}; ${errors}\n`,
  );
} catch (err) {
  process.stderr.write(`bench-bangalore: ${err.message}\n`);
  code = 1;
} finally {
  await handle.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
