import { defineProject } from 'vitest/config';
import { modelshipAlias } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: modelshipAlias },
  test: { name: 'example-fleet', include: ['test/**/*.test.ts'], testTimeout: 600_000 },
});
