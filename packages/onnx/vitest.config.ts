import { defineProject } from 'vitest/config';
import { modelshipAlias } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: modelshipAlias },
  test: { name: 'onnx', include: ['test/**/*.test.ts'], testTimeout: 300_000 },
});
