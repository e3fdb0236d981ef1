import { z } from 'zod';
import { allocateVersion } from './allocate.js';
import { decodeJson } from './bytes.js';
import { notFound, parseInput, type RegistryContext } from './context.js';
import { registryKeys as K, versionFromKey } from './keys.js';
import { validateName, validateVersion } from './names.js';
import type { DatasetVersion, DatasetVersionInput } from './records.js';

const datasetInputSchema = z
  .object({
    fingerprint: z.string().min(1).max(512),
    rowCount: z.number().int().min(0),
    schema: z.json().optional(),
    location: z.string().max(4096).optional(),
    description: z.string().max(10_000).optional(),
    tags: z.record(z.string().min(1).max(128), z.string().max(1024)).optional(),
    actor: z.string().min(1).max(256).optional(),
  })
  .strict();

/**
 * Registers a dataset version, or returns the existing one with the same fingerprint (the lowest,
 * should concurrent callers have created two).
 */
export async function registerDataset(
  ctx: RegistryContext,
  name: string,
  input: DatasetVersionInput,
): Promise<DatasetVersion> {
  const op = 'registry.registerDataset';
  name = validateName(name, 'dataset', op);
  const d = parseInput(datasetInputSchema, input, op, 'dataset');
  const existing = (await listDatasetVersions(ctx, name)).find((v) => v.fingerprint === d.fingerprint);
  if (existing) return existing;
  const now = ctx.clock();
  const record = await allocateVersion<DatasetVersion>({
    store: ctx.store,
    prefix: K.datasetVersionsPrefix(name),
    keyOf: (n) => K.datasetVersion(name, n),
    maxAttempts: ctx.maxAllocationAttempts,
    operation: op,
    build: (version, registrationId) => ({
      name,
      version,
      label: `V${version}`,
      fingerprint: d.fingerprint,
      rowCount: d.rowCount,
      ...(d.schema !== undefined ? { schema: d.schema as NonNullable<DatasetVersion['schema']> } : {}),
      ...(d.location ? { location: d.location } : {}),
      ...(d.description ? { description: d.description } : {}),
      tags: d.tags ?? {},
      createdBy: d.actor ?? ctx.actor,
      createdAt: now,
      registrationId,
    }),
  });
  // Two callers racing with one fingerprint both saw none and both allocated. The records are
  // immutable, so the extra one stays, but every caller answers the lowest version with that
  // fingerprint (and only its creator emits), so they all agree on one dataset version.
  const canonical = (await listDatasetVersions(ctx, name)).find((v) => v.fingerprint === d.fingerprint);
  if (canonical && canonical.version !== record.version) return canonical;
  ctx.emit('datasetRegistered', { dataset: record });
  return record;
}

/** Every dataset name. */
export async function listDatasets(ctx: RegistryContext): Promise<string[]> {
  const names = new Set<string>();
  for (const k of await ctx.store.list(K.datasetsPrefix())) names.add(k.split('/')[1]!);
  return [...names].sort();
}

/** Every version of a dataset, oldest first. */
export async function listDatasetVersions(ctx: RegistryContext, name: string): Promise<DatasetVersion[]> {
  const op = 'registry.listDatasetVersions';
  name = validateName(name, 'dataset', op);
  const out: DatasetVersion[] = [];
  for (const k of await ctx.store.list(K.datasetVersionsPrefix(name))) {
    const e = await ctx.store.get(k);
    if (e && versionFromKey(k) !== undefined) out.push(decodeJson<DatasetVersion>(e.body, k, op));
  }
  return out;
}

/** One dataset version (a number, or a label like `'V2'`); throws `NOT_FOUND`. */
export async function getDataset(
  ctx: RegistryContext,
  name: string,
  version: number | string,
): Promise<DatasetVersion> {
  const op = 'registry.getDataset';
  name = validateName(name, 'dataset', op);
  const n = validateVersion(typeof version === 'string' ? Number(version.replace(/^V/i, '')) : version, 'version', op);
  const e = await ctx.store.get(K.datasetVersion(name, n));
  if (!e) throw notFound(op, `dataset "${name}" has no version V${n}`, { dataset: name, version: n });
  return decodeJson<DatasetVersion>(e.body, K.datasetVersion(name, n), op);
}
