/**
 * Shared vitest settings for every workspace project.
 *
 * In-process tests resolve `@modelship/*` to the packages' TypeScript sources, so a test run
 * never depends on a stale build. Tests that start separate OS processes or worker threads use
 * the built `dist/` files instead; `npm test` builds every package before running vitest.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));

/** `@modelship/<name>` → `packages/<name>/src/index.ts` for every package that has sources. */
export const modelshipAlias: Record<string, string> = Object.fromEntries(
  readdirSync(join(root, 'packages'))
    .filter((name) => existsSync(join(root, 'packages', name, 'src', 'index.ts')))
    .map((name) => [`@modelship/${name}`, resolve(root, 'packages', name, 'src', 'index.ts')]),
);

/** The repository root (for tests that read shared files or spawn built scripts). */
export const repoRoot = root;
