#!/usr/bin/env node
// `npm start [-- args]` and `npm run demo -- <pipeline>`: builds the packages quietly (turbo's
// logs are shown only when the build fails), then runs modelship locally (examples/local) or a
// scripted pipeline (examples/<pipeline>).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const [mode, ...rest] = process.argv.slice(2);
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };
if (!env.MODELSHIP_DATA_DIR && existsSync('../shared/datasets')) env.MODELSHIP_DATA_DIR = resolve('../shared/datasets');
let script = 'examples/local/src/main.ts';
let args = process.argv.slice(2); // `npm start -- --no-simulate`: every argument is the app's
if (mode === 'demo') {
  const [pipeline, ...more] = rest;
  if (!['iris', 'bangalore', 'california'].includes(pipeline ?? '')) {
    console.error('usage: npm run demo -- iris|bangalore|california');
    process.exit(2);
  }
  script = `examples/${pipeline}/src/main.ts`;
  args = more;
}
process.stdout.write('building… ');
const t0 = Date.now();
const build = spawnSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only', '--log-prefix=none'], {
  env,
  encoding: 'utf8',
});
if (build.status !== 0) {
  process.stdout.write('failed\n');
  process.stderr.write(`${build.stdout}\n${build.stderr}\n`);
  process.exit(build.status ?? 1);
}
process.stdout.write(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
// Ctrl-C reaches the whole process group: the app shuts down gracefully on it, and this process
// waits for it (and exits with its status) instead of dying first.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => {});
// node itself with tsx's loader (no npx in between, which would die of the Ctrl-C on its own)
const run = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { stdio: 'inherit', env });
process.exit(run.status ?? 1);
