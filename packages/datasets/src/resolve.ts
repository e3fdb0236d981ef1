import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DataError } from '@modelship/core';

/** Where to find a data file; see {@link resolveDataFile} for the order. */
export interface DataSourceOptions {
  /** Explicit path of the file; default none. */
  path?: string;
  /** Data folder to look in before the cache; default `$MODELSHIP_DATA_DIR`. */
  dataDir?: string;
  /** Cache folder; default `$MODELSHIP_CACHE_DIR`, else `~/.cache/modelship`. */
  cacheDir?: string;
  /** Check the sha256 wherever the file was found; default `false` (it is always checked in the cache). */
  verifyChecksum?: boolean;
}

/** A public data file modelship knows how to find and check. */
export interface DatasetFile {
  /** File name inside a data or cache folder (may contain a sub-folder, e.g. `splits/iris.json`). */
  readonly fileName: string;
  /** Canonical public download location; default none. */
  readonly url?: string;
  /** How to get the file when there is no download location; default none. */
  readonly note?: string;
  /** sha256 (hex) of the unedited file, or `undefined` when not pinned. */
  readonly sha256?: string;
}

/** Where a data file was found. */
export interface ResolvedFile {
  /** Absolute path. */
  readonly path: string;
  /** Which step of the search found it. */
  readonly from: 'path' | 'dataDir' | 'cache';
}

/** Options of {@link findDataDir}. */
export interface FindDataDirOptions {
  /** An explicit folder; default `$MODELSHIP_DATA_DIR`, else the search from `from`. */
  dataDir?: string | undefined;
  /** Where the search for a `shared/datasets` folder starts; default the working directory. */
  from?: string | undefined;
  /** Throw DataError `NOT_FOUND` (naming where it looked) instead of returning `undefined`; default `false`. */
  required?: boolean | undefined;
  /** The operation named in the error; default `'findDataDir'`. */
  operation?: string | undefined;
}

/**
 * The data folder holding `fileName`: `dataDir` when given, else `$MODELSHIP_DATA_DIR`, else the
 * nearest `shared/datasets` beside `from` or one of its parents (a checkout with `../shared` next
 * to it, as `npm test` and `.ci/run` lay it out). A given folder (option or variable) without the
 * file is an error (DataError `NOT_FOUND`), not a reason to look elsewhere; when the search finds
 * nothing the result is `undefined`, or that error with `required`.
 *
 * @example
 * ```ts
 * const dir = findDataDir('california_housing.csv', { from: import.meta.dirname, required: true });
 * const table = loadCalifornia(dir ? { dataDir: dir } : {});
 * ```
 */
export function findDataDir(fileName: string, options: FindDataDirOptions = {}): string | undefined {
  const operation = options.operation ?? 'findDataDir';
  const given = options.dataDir ?? process.env.MODELSHIP_DATA_DIR;
  const missing = (looked: string[]): DataError =>
    new DataError(
      'NOT_FOUND',
      `${operation}: no data folder: ${looked.join(', ')} ${looked.length === 1 ? 'has' : 'have'} no ${fileName} (pass dataDir, or set MODELSHIP_DATA_DIR to the folder holding ${fileName} and splits/)`,
      { operation, details: { looked, fileName } },
    );
  if (given !== undefined && given !== '') {
    const dir = resolve(given);
    if (existsSync(join(dir, fileName))) return dir;
    throw missing([dir]);
  }
  const looked: string[] = [];
  for (let at = resolve(options.from ?? process.cwd()); ; at = dirname(at)) {
    const dir = join(at, 'shared', 'datasets');
    looked.push(dir);
    if (existsSync(join(dir, fileName))) return dir;
    if (dirname(at) === at) break;
  }
  if (options.required) throw missing([looked[0]!, '…', looked.at(-1)!]);
  return undefined;
}

/** The cache folder: `cacheDir`, else `$MODELSHIP_CACHE_DIR`, else `~/.cache/modelship`. */
export function defaultCacheDir(cacheDir?: string): string {
  return resolve(cacheDir ?? process.env.MODELSHIP_CACHE_DIR ?? join(homedir(), '.cache', 'modelship'));
}

/** sha256 (hex) of a file's bytes; DataError `NOT_FOUND` naming the path when it cannot be read. */
export function sha256File(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
    throw new DataError('NOT_FOUND', `sha256File: cannot read '${String(path)}': ${(cause as Error).message}`, {
      operation: 'sha256File',
      details: { path },
      cause,
    });
  }
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Finds a data file: the explicit `path` option, then `dataDir` (or `$MODELSHIP_DATA_DIR`), then
 * the cache folder. Verifies the sha256 when the file comes from the cache (or always with
 * `verifyChecksum`): DataError `CHECKSUM` on a mismatch. When absent everywhere: DataError
 * `NOT_FOUND` saying where it looked, with the download URL and sha256.
 */
export function resolveDataFile(
  file: DatasetFile,
  options: DataSourceOptions = {},
  operation = 'resolveDataFile',
): ResolvedFile {
  const looked: string[] = [];
  let found: ResolvedFile | undefined;
  if (options.path !== undefined) {
    const p = resolve(options.path);
    if (!existsSync(p)) {
      throw new DataError('NOT_FOUND', `${operation}: no file at the given path '${p}'${hint(file)}`, {
        operation,
        details: { looked: [p], url: file.url, sha256: file.sha256 },
      });
    }
    found = { path: p, from: 'path' };
  }
  const dataDir = options.dataDir ?? process.env.MODELSHIP_DATA_DIR;
  if (!found && dataDir) {
    const p = resolve(dataDir, file.fileName);
    looked.push(p);
    if (existsSync(p)) found = { path: p, from: 'dataDir' };
  } else if (!found) {
    looked.push('(MODELSHIP_DATA_DIR is not set)');
  }
  if (!found) {
    const p = join(defaultCacheDir(options.cacheDir), file.fileName);
    looked.push(p);
    if (existsSync(p)) found = { path: p, from: 'cache' };
  }
  if (!found) {
    throw new DataError(
      'NOT_FOUND',
      `${operation}: '${file.fileName}' not found; looked in: ${looked.join(', ')}${hint(file)}`,
      {
        operation,
        details: { looked, url: file.url, sha256: file.sha256 },
      },
    );
  }
  if (file.sha256 && (found.from === 'cache' || options.verifyChecksum)) {
    const actual = sha256File(found.path);
    if (actual !== file.sha256) {
      throw new DataError(
        'CHECKSUM',
        `${operation}: '${found.path}' has sha256 ${actual}, expected ${file.sha256} (an edited or partial copy?)${hint(file)}`,
        {
          operation,
          details: { path: found.path, expected: file.sha256, actual },
        },
      );
    }
  }
  return found;
}

function hint(file: DatasetFile): string {
  if (!file.url) return `. ${file.note ?? ''} Put it into $MODELSHIP_DATA_DIR or the cache folder, or pass { path }.`;
  return `. Download it from ${file.url}${file.sha256 ? ` (sha256 ${file.sha256})` : ''} as '${file.fileName}' into $MODELSHIP_DATA_DIR or the cache folder, or pass { path }.`;
}
