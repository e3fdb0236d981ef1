/** Opens the registry a `--registry` location names: a directory (FsStore) or `s3://bucket/prefix` (S3Store). */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRegistry, type ModelRegistry, type Store } from '@modelship/core';
import { FsStore } from '@modelship/registry-fs';
import { S3Store, type S3StoreOptions } from '@modelship/registry-s3';
import { notFound, usage } from './errors.js';

/** Where the registry lives, as parsed from `--registry`. */
export type RegistryLocation =
  | { kind: 'fs'; root: string }
  | { kind: 's3'; bucket: string; prefix: string; options: S3StoreOptions };

/** The default registry location when neither `--registry` nor `MODELSHIP_REGISTRY` is given. */
export const DEFAULT_REGISTRY = './.modelship';

/** Parses a registry location; S3 options come from the usual AWS variables of `env` and `endpoint`. */
export function parseRegistryLocation(
  value: string,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  endpoint: string | undefined,
): RegistryLocation {
  if (value.trim() === '') throw usage('--registry: expected a directory or s3://bucket/prefix, got an empty string');
  if (!/^s3:\/\//i.test(value)) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value))
      throw usage(`--registry: unsupported scheme in "${value}" (expected a directory or s3://bucket/prefix)`);
    return { kind: 'fs', root: resolve(cwd, value) };
  }
  const rest = value.slice(5);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const prefix = slash < 0 ? '' : rest.slice(slash + 1);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    throw usage(`--registry: "${bucket}" is not a valid S3 bucket name (in ${value})`);
  const ep = endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  if (ep !== undefined) {
    try {
      new URL(ep);
    } catch {
      throw usage(`--s3-endpoint: expected a URL such as http://127.0.0.1:5000, got "${ep}"`);
    }
  }
  const options: S3StoreOptions = {
    bucket,
    ...(prefix ? { prefix: prefix.endsWith('/') ? prefix : `${prefix}/` } : {}),
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(ep !== undefined ? { endpoint: ep, forcePathStyle: true } : {}),
    ...(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          credentials: {
            accessKeyId: env.AWS_ACCESS_KEY_ID,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
            ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
          },
        }
      : {}),
  };
  return { kind: 's3', bucket, prefix, options };
}

/**
 * Opens the registry. A directory that does not exist is created only when `create` (commands
 * that write); read commands on a missing directory fail with exit 4.
 */
export function openRegistry(loc: RegistryLocation, create: boolean, actor: string): ModelRegistry {
  let store: Store;
  if (loc.kind === 'fs') {
    if (!create && !existsSync(loc.root))
      throw notFound(`--registry: no registry at ${loc.root} (nothing registered yet, or a wrong --registry)`);
    store = new FsStore({ root: loc.root });
  } else {
    store = new S3Store(loc.options);
  }
  return createRegistry({ store, actor });
}
