import { defineConfig } from 'tsup';

// One entry per public subpath (package.json `exports`); shared code is split into chunks so the
// error class is the same object whichever subpath it is imported from (ESM and CJS alike).
export default defineConfig({
  entry: { index: 'src/index.ts', postgres: 'src/postgres.ts', sqlite: 'src/sqlite.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  target: 'node20',
  shims: true,
  external: ['pg', 'better-sqlite3'],
});
