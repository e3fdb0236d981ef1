import { defineConfig } from 'tsup';

export default defineConfig({
  // forest-worker is a separate entry: worker threads load it from dist/ by file name.
  entry: ['src/index.ts', 'src/forest-worker.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  shims: true,
});
