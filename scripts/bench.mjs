#!/usr/bin/env node
// `npm run bench -- <suite> [args]`: builds the packages, then runs bench/<suite>.ts, which
// writes bench/results/<suite>.json. Benchmarks measure; the tests check correctness.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';

const [suite, ...rest] = process.argv.slice(2);
const suites = readdirSync('bench')
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
  .map((f) => f.slice(0, -3));
if (!suite || !suites.includes(suite)) {
  console.error(`usage: npm run bench -- <suite>   (suites: ${suites.join(', ')})`);
  process.exit(2);
}
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };
if (!env.MODELSHIP_DATA_DIR && existsSync('../shared/datasets')) env.MODELSHIP_DATA_DIR = resolve('../shared/datasets');
const build = spawnSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], { stdio: 'inherit', env });
if (build.status !== 0) process.exit(build.status ?? 1);
const run = spawnSync('npx', ['tsx', `bench/${suite}.ts`, ...rest], { stdio: 'inherit', env });
process.exit(run.status ?? 1);
