import { defineConfig } from 'tsup';

// One entry per public subpath (package.json `exports`); shared code is split into chunks so a
// class is the same object whichever subpath it is imported from (ESM and CJS alike).
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    registry: 'src/registry/index.ts',
    store: 'src/store/index.ts',
    rollout: 'src/rollout/index.ts',
    outcomes: 'src/outcomes/index.ts',
    evaluate: 'src/evaluate/index.ts',
    policy: 'src/policy/index.ts',
    artifact: 'src/artifact/index.ts',
    data: 'src/data/index.ts',
    features: 'src/features/index.ts',
    learners: 'src/learners/index.ts',
    events: 'src/events/index.ts',
    kit: 'src/kit.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  target: 'node20',
  shims: true,
});
