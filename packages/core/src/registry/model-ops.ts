import { isModelshipError } from '../errors.js';
import { decodeJson, encodeJson } from './bytes.js';
import { notFound, parseInput, type RegistryContext } from './context.js';
import { tagPatchSchema } from './inputs.js';
import { registryKeys as K } from './keys.js';
import { validateName } from './names.js';
import type { ModelRecord } from './records.js';

/** Every model name, sorted (internal). */
export async function listModels(ctx: RegistryContext): Promise<string[]> {
  const keys = await ctx.store.list(K.modelsPrefix());
  return keys.filter((k) => k.endsWith('/model.json') && k.split('/').length === 3).map((k) => k.split('/')[1]!);
}

/** The model record; throws `NOT_FOUND` (internal). */
export async function getModel(ctx: RegistryContext, name: string): Promise<ModelRecord> {
  const op = 'registry.getModel';
  name = validateName(name, 'name', op);
  const e = await ctx.store.get(K.model(name));
  if (!e) throw notFound(op, `model "${name}" does not exist`, { name });
  return decodeJson<ModelRecord>(e.body, K.model(name), op);
}

/**
 * Merges a tag patch into the model record (a `null` value removes a tag) by compare-and-set,
 * retrying lost races; the patch is the same on every attempt, so a retry cannot double-apply.
 */
export async function tagModel(
  ctx: RegistryContext,
  name: string,
  tags: Record<string, string | null>,
): Promise<ModelRecord> {
  const op = 'registry.tagModel';
  name = validateName(name, 'name', op);
  const patch = parseInput(tagPatchSchema, tags, op, 'tags');
  for (;;) {
    const e = await ctx.store.get(K.model(name));
    if (!e) throw notFound(op, `model "${name}" does not exist`, { name });
    const rec = decodeJson<ModelRecord>(e.body, K.model(name), op);
    const next = { ...rec, tags: { ...rec.tags } };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete next.tags[k];
      else next.tags[k] = v;
    }
    try {
      await ctx.store.put(K.model(name), encodeJson(next), { ifMatch: e.etag });
      return next;
    } catch (err) {
      if (!isModelshipError(err, 'RegistryError', 'CONFLICT')) throw err;
    }
  }
}
