/**
 * Shared vitest settings for every workspace project.
 *
 * In-process tests resolve `@modelship/*` (and each public subpath) to the packages' TypeScript
 * sources, so a test run never depends on a stale build. A subpath `./x` of a package's `exports`
 * lives in `src/x.ts` or `src/x/index.ts`. Tests that start separate OS processes or worker
 * threads use the built `dist/` files instead; `npm test` builds every package before vitest.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));

function subpathSource(dir: string, sub: string): string | undefined {
  if (sub === '.') return join(dir, 'src', 'index.ts');
  const name = sub.slice(2);
  for (const f of [join(dir, 'src', `${name}.ts`), join(dir, 'src', name, 'index.ts')]) if (existsSync(f)) return f;
  return undefined;
}

function aliases(): Array<{ find: RegExp; replacement: string }> {
  const out: Array<{ find: RegExp; replacement: string }> = [];
  for (const name of readdirSync(join(root, 'packages'))) {
    const dir = resolve(root, 'packages', name);
    if (!existsSync(join(dir, 'src', 'index.ts'))) continue;
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports?: Record<string, unknown> };
    for (const sub of Object.keys(pkg.exports ?? { '.': null })) {
      if (sub === './package.json') continue;
      const src = subpathSource(dir, sub);
      if (src === undefined) throw new Error(`vitest.shared: no source for @modelship/${name}${sub.slice(1)}`);
      const spec = `@modelship/${name}${sub === '.' ? '' : sub.slice(1)}`;
      out.push({ find: new RegExp(`^${spec.replace(/[/.]/g, '\\$&')}$`), replacement: src });
    }
  }
  return out;
}

/** `@modelship/<name>[/<subpath>]` → its TypeScript source, for every package that has sources. */
export const modelshipAlias: Array<{ find: RegExp; replacement: string }> = aliases();

/** The repository root (for tests that read shared files or spawn built scripts). */
export const repoRoot = root;
