// @ts-check
/**
 * Mutation testing (StrykerJS 9 + its vitest runner; StrykerJS 10 needs Node 22) of the headline
 * rules: the decision code, the offline metrics, the drift profile and the gbdt leaf values.
 *
 * `npm run mutate` runs one Stryker pass per vitest project (MUTATE=core, train, drift), each
 * with that project's own vitest config, so no other project's tests are loaded:
 * - core: rollback-policy.ts, guardrails.ts, evaluator.ts, and tree-builder.ts's finishLeaf (the
 *   leaf value −G / (H + lambda)), whose pinning test is core's trees-gbdt-leaf-lambda.test.ts;
 * - train: metrics/classification.ts and metrics/regression.ts;
 * - drift: profile.ts.
 * Reports go to reports/mutation/<project>.{html,json}. Run one pass with e.g. `MUTATE=train npx stryker run`.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** @type {Record<string, string[]>} */
const MUTATE = {
  core: [
    'packages/core/src/policy/rollback-policy.ts',
    'packages/core/src/evaluate/guardrails.ts',
    'packages/core/src/evaluate/evaluator.ts',
    // finishLeaf: the leaf value uses lambda.
    'packages/trees/src/tree-builder.ts:229-243',
  ],
  train: ['packages/train/src/metrics/classification.ts', 'packages/train/src/metrics/regression.ts'],
  drift: ['packages/drift/src/profile.ts'],
};

const project = process.env.MUTATE ?? 'core';
if (!(project in MUTATE)) throw new Error(`MUTATE must be one of ${Object.keys(MUTATE).join(', ')}; got ${project}`);

// Tests that read the shared data sets need MODELSHIP_DATA_DIR, as under `npm test` (absolute: the sandbox is elsewhere).
if (!process.env.MODELSHIP_DATA_DIR && existsSync('../shared/datasets'))
  process.env.MODELSHIP_DATA_DIR = resolve('../shared/datasets');

/** Stryker options (see the StrykerJS 9 configuration reference). */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: `packages/${project}/vitest.config.ts`, dir: `packages/${project}`, related: false },
  mutate: MUTATE[project],
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 20_000,
  timeoutFactor: 2,
  dryRunTimeoutMinutes: 10,
  ignorePatterns: ['bench', 'examples', 'docs', 'reports', '.turbo', '**/.turbo', 'coverage', '.modelship-cache'],
  tempDirName: `.stryker-tmp/${project}`,
  cleanTempDir: true,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${project}.html` },
  jsonReporter: { fileName: `reports/mutation/${project}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: false },
  thresholds: { high: 80, low: 60, break: null },
};
