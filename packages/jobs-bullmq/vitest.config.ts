import { defineProject } from 'vitest/config';
import { modelshipAlias } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: modelshipAlias },
  test: { name: 'jobs-bullmq', include: ['test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
});
