import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'bench', ...(existsSync('examples') ? ['examples/*'] : [])],
  },
});
