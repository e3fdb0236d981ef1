import { isModelshipError } from '../errors.js';
import { notFound } from './context.js';
import type { Logger } from '../logger.js';
import type { ModelVersion } from './records.js';

/** A version, an alias name, or a version number as a string (`'3'`). */
export type VersionRef = number | string;

/** What `load` returns: the verified artifact bytes and the version record. */
export interface LoadedVersion {
  /** The version record. */
  version: ModelVersion;
  /** The artifact bytes (verified against `version.sha256`). */
  bytes: Uint8Array;
}

/** What `resolve` returns. */
export interface ResolveResult {
  /** Where the artifact came from. */
  source: 'alias' | 'fallback';
  /** The alias that resolved (source `alias`). */
  alias?: string;
  /** The version record (source `alias`). */
  version?: ModelVersion;
  /** The fallback file (source `fallback`). */
  path?: string;
  /** The artifact bytes. */
  bytes: Uint8Array;
}

/** Options of `resolve`. */
export interface ResolveOptions {
  /** A local artifact file used when no alias resolves and loads; default none. */
  fallback?: string | undefined;
}

/** What {@link resolveFirst} needs from the registry. */
export interface ResolveSteps {
  /** The version an alias points to now, or `undefined`. */
  getAlias(alias: string): Promise<number | undefined>;
  /** Loads and verifies a version. */
  load(version: number): Promise<LoadedVersion>;
  /** Where skipped aliases are logged. */
  log: Logger;
}

/**
 * The first of `aliases` that resolves and loads (verified), else the local `fallback` file,
 * else `NOT_FOUND` listing why each failed (internal; arguments already validated).
 */
export async function resolveFirst(
  op: string,
  name: string,
  aliases: readonly string[],
  options: ResolveOptions,
  steps: ResolveSteps,
): Promise<ResolveResult> {
  const failures: string[] = [];
  for (const alias of aliases) {
    try {
      const v = await steps.getAlias(alias);
      if (v === undefined) {
        failures.push(`${alias}: not set`);
        continue;
      }
      const loaded = await steps.load(v);
      return { source: 'alias', alias, version: loaded.version, bytes: loaded.bytes };
    } catch (err) {
      if (isModelshipError(err, 'RegistryError', 'INVALID_NAME') || isModelshipError(err, 'RegistryError', 'CLOSED'))
        throw err;
      steps.log.warn({ err, name, alias }, 'resolve: alias did not load');
      failures.push(`${alias}: ${(err as Error).message}`);
    }
  }
  if (options.fallback) {
    const { readFile } = await import('node:fs/promises');
    try {
      return { source: 'fallback', path: options.fallback, bytes: new Uint8Array(await readFile(options.fallback)) };
    } catch (cause) {
      failures.push(`fallback ${options.fallback}: ${(cause as Error).message}`);
    }
  }
  throw notFound(op, `model "${name}": nothing resolved (${failures.join('; ') || 'no aliases given'})`, {
    name,
    aliases,
  });
}
