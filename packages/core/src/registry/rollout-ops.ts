import { RegistryError, isModelshipError } from '../errors.js';
import { authorize } from './alias-moves.js';
import { decodeJson, encodeJson } from './bytes.js';
import type { RegistryContext } from './context.js';
import { registryKeys as K } from './keys.js';
import type { SetRolloutOptions } from './registry-options.js';
import type { Rollout, RolloutRecord } from './rollout.js';

/**
 * Writes a validated rollout by compare-and-set on its revision (`expect`); without `expect`,
 * lost races are retried. The versions it names must have been checked by the caller.
 */
export async function writeRollout(ctx: RegistryContext, name: string, r: Rollout, options: SetRolloutOptions): Promise<RolloutRecord> {
const op = 'registry.setRollout';
  const actor = options.actor ?? ctx.actor;
  for (;;) {
    const e = await ctx.store.get(K.rollout(name));
    const cur = e ? decodeJson<RolloutRecord>(e.body, K.rollout(name), op) : undefined;
    const revision = cur?.revision ?? null;
    if (options.expect !== undefined && options.expect !== revision) {
      throw new RegistryError('CONFLICT', `${op}: rollout of model "${name}" is at revision ${revision ?? 'none'}, expected ${options.expect ?? 'none'}`, {
        operation: op,
        details: { name, expected: options.expect, actual: revision },
      });
    }
    await authorize(ctx, op, { operation: 'setRollout', name, from: cur?.production ?? null, to: r.production, actor, ...(options.reason ? { reason: options.reason } : {}) }, false);
    const next: RolloutRecord = { ...r, name, revision: (revision ?? 0) + 1, updatedAt: ctx.clock(), actor, ...(options.reason ? { reason: options.reason } : {}) };
    try {
      await ctx.store.put(K.rollout(name), encodeJson(next), e ? { ifMatch: e.etag } : { ifNoneMatch: '*' });
    } catch (err) {
      if (!isModelshipError(err, 'RegistryError', 'CONFLICT')) throw err;
      if (options.expect !== undefined) {
        throw new RegistryError('CONFLICT', `${op}: rollout of model "${name}" was changed concurrently`, { operation: op, details: { name, expected: options.expect }, cause: err });
      }
      continue;
    }
    ctx.emit('rolloutChanged', { name, rollout: next, ...(cur ? { previous: cur } : {}) });
    return next;
  }
}
