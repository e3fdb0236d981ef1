/**
 * Where the example reads the shared data sets: `$MODELSHIP_DATA_DIR`, else `../shared/datasets`
 * relative to the repository root (the layout `npm test` and `.ci/run` use).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is `examples/bangalore/src/data-dir.ts`). */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The default data folder: `$MODELSHIP_DATA_DIR`, else `<repo>/../shared/datasets`. */
export function defaultDataDir(): string {
  const env = process.env.MODELSHIP_DATA_DIR;
  return env ? resolve(env) : resolve(REPO_ROOT, '..', 'shared', 'datasets');
}

/** `dataDir` (default {@link defaultDataDir}), checked to hold `file`; throws naming the folder otherwise. */
export function resolveDataDir(dataDir: string | undefined, file: string, operation: string): string {
  const dir = resolve(dataDir ?? defaultDataDir());
  if (!existsSync(resolve(dir, file))) {
    throw new Error(
      `${operation}: no data folder: ${dir} has no ${file} (pass dataDir, or set MODELSHIP_DATA_DIR to the folder holding ${file} and splits/)`,
    );
  }
  return dir;
}
