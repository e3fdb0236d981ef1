#!/usr/bin/env node
// Creates packages/<name> with the layout every library package shares (see CONVENTIONS.md):
// package.json (exports map with import/require branches and their own types), tsconfig.json,
// tsup.config.ts, vitest.config.ts, src/index.ts, test/.
// usage: node scripts/new-package.mjs <name> "<description>"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [name, description = ''] = process.argv.slice(2);
if (!name || !/^[a-z][a-z0-9-]*$/.test(name)) {
  console.error('usage: node scripts/new-package.mjs <name> "<description>"');
  process.exit(2);
}
const dir = join('packages', name);
if (existsSync(join(dir, 'package.json'))) {
  console.error(`${dir} already exists`);
  process.exit(2);
}
mkdirSync(join(dir, 'src'), { recursive: true });
mkdirSync(join(dir, 'test'), { recursive: true });
const core = JSON.parse(readFileSync('packages/core/package.json', 'utf8'));
const pkg = {
  ...core,
  name: `@modelship/${name}`,
  description,
  repository: { ...core.repository, directory: `packages/${name}` },
  dependencies: {},
};
writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
for (const f of ['tsconfig.json', 'tsup.config.ts']) {
  writeFileSync(join(dir, f), readFileSync(join('packages/core', f), 'utf8'));
}
writeFileSync(
  join(dir, 'vitest.config.ts'),
  readFileSync('packages/core/vitest.config.ts', 'utf8').replace("name: 'core'", `name: '${name}'`),
);
if (!existsSync(join(dir, 'src/index.ts'))) {
  writeFileSync(join(dir, 'src/index.ts'), `/**\n * ${description}\n *\n * @module\n */\n`);
}
console.log(`created ${dir}`);
