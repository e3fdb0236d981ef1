import { defineProject } from 'vitest/config';
import { modelshipAlias } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: modelshipAlias },
  test: {
    name: 'adapters-express',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // forks (vitest 4's default pool) pass V8 flags to the child: the fuzz test's heap check needs a real GC
    pool: 'forks',
    execArgv: ['--expose-gc'],
  },
});
