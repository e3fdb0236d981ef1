#!/usr/bin/env node
// `npm test`: builds every package (turbo; type errors fail the build), type-checks the TSDoc
// examples and checks the package READMEs' links (scripts/check-examples.mjs,
// scripts/check-readme-links.mjs: one test each), then runs every vitest project and ends with the
// plain line `N passed, N failed[, N skipped]`.
// Extra arguments go to vitest: `npm test -- packages/core`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };
if (!process.env.MODELSHIP_DATA_DIR) {
  if (existsSync('../shared/datasets')) env.MODELSHIP_DATA_DIR = resolve('../shared/datasets');
  else
    console.warn(
      '\n*** MODELSHIP_DATA_DIR is not set and ../shared/datasets is absent: tests that need the data sets will fail. ***\n',
    );
}
// Build every package (tsup's .d.ts step type-checks them), then type-check every workspace with its
// tests (tsconfig.test.json) and the benchmarks.
const turbo = (...args) =>
  spawnSync('npx', ['turbo', 'run', ...args, '--output-logs=errors-only'], { stdio: 'inherit', env });
const tscBench = () => spawnSync('npx', ['tsc', '-p', 'bench/tsconfig.json'], { stdio: 'inherit', env });
if (turbo('build').status !== 0 || turbo('typecheck').status !== 0 || tscBench().status !== 0) {
  console.log('build failed');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
// Checks that are not vitest tests, each counted as one test in the last line: every TSDoc
// `@example` compiles against the built packages, and every package README link works in the tarball.
const checks = [
  ['TSDoc examples', 'scripts/check-examples.mjs'],
  ['package README links', 'scripts/check-readme-links.mjs'],
];
let checksPassed = 0;
let checksFailed = 0;
for (const [name, script] of checks) {
  const r = spawnSync(process.execPath, [script], { stdio: 'inherit', env });
  if (r.status === 0) checksPassed++;
  else {
    checksFailed++;
    console.log(`check FAILED: ${name} (node ${script})`);
  }
}
mkdirSync('.test-results', { recursive: true });
const out = '.test-results/vitest.json';
rmSync(out, { force: true });
const args = [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${out}`,
  ...process.argv.slice(2),
];
const run = spawnSync('npx', args, { stdio: 'inherit', env });
let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(out)) {
  const r = JSON.parse(readFileSync(out, 'utf8'));
  passed = r.numPassedTests ?? 0;
  failed = (r.numFailedTests ?? 0) + countFilesFailedOutsideTests(r);
  skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
} else {
  failed = 1;
}
if (run.status !== 0 && failed === 0) failed = 1;
passed += checksPassed;
failed += checksFailed;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(run.status !== 0 ? (run.status ?? 1) : checksFailed > 0 ? 1 : 0);

/** Test files that failed without a failed test (an import error, a failing hook) count as one failure each. */
function countFilesFailedOutsideTests(r) {
  let n = 0;
  for (const f of r.testResults ?? []) {
    if (f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed')) n++;
  }
  return n;
}
