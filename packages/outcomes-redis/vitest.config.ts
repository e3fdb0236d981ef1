import { defineProject } from 'vitest/config';
import { modelshipAlias } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: modelshipAlias },
  test: { name: 'outcomes-redis', include: ['test/**/*.test.ts'], testTimeout: 60_000 },
});
