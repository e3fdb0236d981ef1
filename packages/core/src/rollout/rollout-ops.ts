/**
 * Reading and writing a model's rollout record in the registry's store: compare-and-set on its
 * revision, with a change id that recognises a retried write (internal to the registry).
 */
import { RegistryError, isModelshipError } from '../errors.js';
import { authorize } from '../registry/alias-moves.js';
import { decodeJson, encodeJson, randomId } from '../registry/bytes.js';
import type { RegistryContext } from '../registry/context.js';
import { registryKeys as K } from '../registry/keys.js';
import type { SetRolloutOptions } from '../registry/registry-options.js';
import type { Rollout, RolloutRecord } from './rollout.js';

/** Reads the rollout record and its etag (name already validated). */
export async function readRollout(
  ctx: RegistryContext,
  name: string,
  op: string,
): Promise<{ record: RolloutRecord; etag: string } | undefined> {
  const e = await ctx.store.get(K.rollout(name));
  return e ? { record: decodeJson<RolloutRecord>(e.body, K.rollout(name), op), etag: e.etag } : undefined;
}

/**
 * Writes a validated rollout by compare-and-set on its revision (`expect`); without `expect`,
 * lost races are retried. Each call stamps its record with a fresh `changeId`, so a write that
 * was applied but whose answer was lost (a retried conditional request then fails) is
 * recognised as ours and never applied twice. The versions it names must have been checked by
 * the caller.
 */
export async function writeRollout(
  ctx: RegistryContext,
  name: string,
  r: Rollout,
  options: SetRolloutOptions,
): Promise<RolloutRecord> {
  const op = 'registry.setRollout';
  const actor = options.actor ?? ctx.actor;
  const changeId = randomId();
  for (;;) {
    const read = await readRollout(ctx, name, op);
    const cur = read?.record;
    const revision = cur?.revision ?? null;
    if (options.expect !== undefined && options.expect !== revision) {
      throw new RegistryError(
        'CONFLICT',
        `${op}: rollout of model "${name}" is at revision ${revision ?? 'none'}, expected ${options.expect ?? 'none'}`,
        {
          operation: op,
          details: { name, expected: options.expect, actual: revision },
        },
      );
    }
    await authorize(
      ctx,
      op,
      {
        operation: 'setRollout',
        name,
        from: cur?.production ?? null,
        to: r.production,
        actor,
        ...(options.reason ? { reason: options.reason } : {}),
      },
      false,
    );
    const next: RolloutRecord = {
      ...r,
      name,
      revision: (revision ?? 0) + 1,
      updatedAt: ctx.clock(),
      actor,
      ...(options.reason ? { reason: options.reason } : {}),
      changeId,
    };
    try {
      await ctx.store.put(K.rollout(name), encodeJson(next), read ? { ifMatch: read.etag } : { ifNoneMatch: '*' });
    } catch (err) {
      if (!isModelshipError(err, 'RegistryError', 'CONFLICT')) throw err;
      const now = await readRollout(ctx, name, op);
      if (now?.record.changeId !== changeId) {
        if (options.expect !== undefined) {
          throw new RegistryError('CONFLICT', `${op}: rollout of model "${name}" was changed concurrently`, {
            operation: op,
            details: { name, expected: options.expect },
            cause: err,
          });
        }
        continue;
      }
    }
    ctx.emit('rolloutChanged', { name, rollout: next, ...(cur ? { previous: cur } : {}) });
    return next;
  }
}
