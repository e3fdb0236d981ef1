import { ValidationError } from '../errors.js';
import { allocateVersion } from './allocate.js';
import { writeBlob } from './blob-io.js';
import { encodeJson, sha256Hex } from './bytes.js';
import { ignoreConflict, parseInput, type RegistryContext } from './context.js';
import { registryKeys as K } from './keys.js';
import { validateName } from './names.js';
import type { ModelRecord, ModelVersion } from './records.js';
import {
  registerMetaSchema,
  type ArtifactDescription,
  type RegisterMeta,
  type RegistryOptions,
} from './registry-options.js';

/**
 * The steps of `register` (internal), in the order that keeps a crash harmless: validate every
 * input; store the blob (content-addressed, create-if-absent: an orphan blob is invisible);
 * create the model record if absent; then allocate the version by conditional create of its
 * immutable record, the one write that makes the version visible. `checkDataset` throws when the
 * dataset version named in `meta` does not exist.
 */
export async function registerVersion<A>(
  ctx: RegistryContext,
  options: RegistryOptions<A>,
  name: string,
  artifact: A | Uint8Array,
  meta: RegisterMeta,
  checkDataset: (name: string, version: number) => Promise<unknown>,
): Promise<ModelVersion> {
  const op = 'registry.register';
  name = validateName(name, 'name', op);
  const m = parseInput(registerMetaSchema, meta, op, 'meta');
  let bytes: Uint8Array;
  let described: ArtifactDescription = {};
  if (artifact instanceof Uint8Array) bytes = artifact;
  else if (options.artifactCodec && artifact !== null && typeof artifact === 'object') {
    bytes = options.artifactCodec.encode(artifact as A);
    described = options.artifactCodec.describe?.(artifact as A) ?? {};
  } else {
    const expected = options.artifactCodec
      ? 'a Uint8Array or an artifact object'
      : 'a Uint8Array (this registry has no artifactCodec)';
    throw new ValidationError(
      'INVALID_INPUT',
      `${op}: artifact: expected ${expected}, received ${artifact === null ? 'null' : typeof artifact}`,
      {
        operation: op,
        details: { field: 'artifact' },
      },
    );
  }
  if (m.dataset) {
    validateName(m.dataset.name, 'meta.dataset.name', op);
    await checkDataset(m.dataset.name, m.dataset.version);
  }
  const actor = m.actor ?? ctx.actor;
  const sha256 = sha256Hex(bytes);
  await writeBlob(ctx.store, sha256, bytes, options.streamThresholdBytes ?? 8 << 20, options.hooks);
  const now = ctx.clock();
  const model: ModelRecord = {
    name,
    tags: m.modelTags ?? {},
    createdBy: actor,
    createdAt: now,
    ...(m.modelDescription ? { description: m.modelDescription } : {}),
  };
  await ctx.store.put(K.model(name), encodeJson(model), { ifNoneMatch: '*' }).catch(ignoreConflict);
  await options.hooks?.beforeVersionCommit?.(name);
  const fingerprint = m.fingerprint ?? described.fingerprint;
  const record = await allocateVersion<ModelVersion>({
    store: ctx.store,
    prefix: K.versionsPrefix(name),
    keyOf: (n) => K.version(name, n),
    maxAttempts: ctx.maxAllocationAttempts,
    operation: op,
    build: (version, registrationId) => ({
      name,
      version,
      sha256,
      size: bytes.length,
      metrics: m.metrics ?? described.metrics ?? {},
      params: (m.params ?? described.params ?? {}) as ModelVersion['params'],
      tags: m.tags ?? {},
      ...(fingerprint ? { fingerprint } : {}),
      ...(m.dataset ? { dataset: m.dataset } : {}),
      ...(m.description ? { description: m.description } : {}),
      createdBy: actor,
      createdAt: now,
      registrationId,
    }),
  });
  ctx.log.info({ name, version: record.version, sha256 }, 'version registered');
  ctx.emit('versionRegistered', { version: record });
  return record;
}
