#!/usr/bin/env node
// API reports (api-extractor) for every public entry point of every library package:
// packages/<pkg>/api/<entry>.api.md, committed so that each change of the public surface shows in
// review. `node scripts/api-report.mjs` rewrites the reports; `--check` (CI) fails when a report
// differs from the built .d.ts. Needs the packages built (dist/*.d.ts).
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const check = process.argv.includes('--check');

/** The most names a package root may export (named re-exports of src/index.ts); ARCHITECTURE.md states them. */
const ROOT_BUDGET = {
  core: 120,
  train: 60,
  datasets: 30,
  router: 60,
  drift: 60,
  trees: 30,
  stats: 15,
  'registry-fs': 10,
  'registry-s3': 10,
  'registry-conformance': 10,
  'outcomes-redis': 10,
  onnx: 10,
  'prediction-log-sql': 10,
  'jobs-bullmq': 10,
  controller: 120,
  'adapters-express': 100,
  cli: 10,
  dashboard: 10,
};

/** The names a module re-exports with `export { … }` and `export type { … }`. */
function exportedNames(file) {
  const src = readFileSync(file, 'utf8');
  const names = [];
  for (const m of src.matchAll(/export (?:type )?\{([^}]*)\}/g)) {
    for (const n of m[1].split(','))
      if (n.trim())
        names.push(
          n
            .trim()
            .replace(/^type\s+/, '')
            .split(/\s+as\s+/)
            .pop(),
        );
  }
  return names;
}
const root = resolve(import.meta.dirname, '..');
let failed = 0;
let checked = 0;
for (const name of readdirSync(join(root, 'packages')).sort()) {
  const dir = join(root, 'packages', name);
  const pkgFile = join(dir, 'package.json');
  if (!existsSync(pkgFile)) continue;
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
  if (pkg.private) continue;
  const rootCount = exportedNames(join(dir, 'src', 'index.ts')).length;
  const budget = ROOT_BUDGET[name];
  if (budget === undefined || rootCount > budget) {
    failed++;
    console.log(
      `root budget: ${pkg.name} exports ${rootCount} names; budget ${budget ?? '(none set in scripts/api-report.mjs)'}`,
    );
  } else console.log(`root budget: ${pkg.name} exports ${rootCount} of ${budget} names`);
  for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
    if (sub === './package.json') continue;
    const dts = target?.import?.types;
    if (typeof dts !== 'string') continue;
    if (!existsSync(join(dir, dts))) {
      failed++;
      console.log(`api report: ${pkg.name}${sub.slice(1)} has no ${dts}: build the package first`);
      continue;
    }
    const entry = sub === '.' ? 'index' : sub.slice(2).replace(/\//g, '-');
    mkdirSync(join(dir, 'api'), { recursive: true });
    const config = ExtractorConfig.prepare({
      configObject: {
        projectFolder: dir,
        mainEntryPointFilePath: join(dir, dts),
        compiler: {
          overrideTsconfig: {
            compilerOptions: {
              module: 'NodeNext',
              moduleResolution: 'NodeNext',
              target: 'ES2022',
              lib: ['ES2023'],
              types: ['node'],
              skipLibCheck: true,
              strict: true,
            },
          },
        },
        apiReport: {
          enabled: true,
          reportFolder: join(dir, 'api'),
          reportTempFolder: join(dir, 'dist', 'api-temp'),
          reportFileName: `${entry}.api.md`,
        },
        docModel: { enabled: false },
        dtsRollup: { enabled: false },
        tsdocMetadata: { enabled: false },
        newlineKind: 'lf',
        messages: {
          compilerMessageReporting: { default: { logLevel: 'warning' } },
          extractorMessageReporting: {
            default: { logLevel: 'warning' },
            'ae-missing-release-tag': { logLevel: 'none' },
            'ae-internal-missing-underscore': { logLevel: 'none' },
            'ae-forgotten-export': { logLevel: 'none' },
            'ae-unresolved-link': { logLevel: 'none' },
          },
          tsdocMessageReporting: { default: { logLevel: 'none' } },
        },
      },
      configObjectFullPath: undefined,
      packageJsonFullPath: pkgFile,
    });
    const result = Extractor.invoke(config, {
      localBuild: !check,
      showVerboseMessages: false,
      messageCallback: (m) => {
        if (m.logLevel === 'warning' || m.logLevel === 'error') {
          if (m.messageId !== 'console-api-report-changed') console.log(`${pkg.name}${sub.slice(1)}: ${m.text}`);
        }
        m.handled = true;
      },
    });
    checked++;
    const ok = result.succeeded && !(check && result.apiReportChanged);
    if (!ok) {
      failed++;
      console.log(
        `api report ${check ? 'differs' : 'failed'}: ${pkg.name}${sub.slice(1)} (packages/${name}/api/${entry}.api.md)${check ? ' — run `npm run api` and commit the report' : ''}`,
      );
    }
  }
}
console.log(`api reports: ${checked} entry points, ${failed} ${check ? 'changed' : 'failed'}`);
process.exit(failed ? 1 : 0);
