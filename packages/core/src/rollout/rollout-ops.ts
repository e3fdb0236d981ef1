/**
 * Reading and writing a model's rollout record in the registry's store: compare-and-set on its
 * revision, with a change id that recognises a retried write, a fencing check, and the
 * append-only deployment history (internal to the registry).
 */
import { RegistryError, isModelshipError } from '../errors.js';
import { authorize } from '../registry/alias-moves.js';
import { decodeJson, encodeJson, randomId } from '../registry/bytes.js';
import type { RegistryContext } from '../registry/context.js';
import { registryKeys as K } from '../registry/keys.js';
import type { SetRolloutOptions } from '../registry/registry-options.js';
import type { DeploymentAction, DeploymentEntry, Rollout, RolloutRecord } from './rollout.js';

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
 * What a change makes of the current record: the next rollout and the action recorded in the
 * history (`null`: a state-only or fence-only write, not a deployment change, and not in the
 * history). Throws to refuse (the error reaches the caller; nothing is written).
 */
export type RolloutPlan = (current: RolloutRecord | undefined) => { rollout: Rollout; action: DeploymentAction | null };

function rolloutOnly(r: RolloutRecord): Rollout {
  return {
    production: r.production,
    ...(r.candidate !== undefined ? { candidate: r.candidate } : {}),
    weights: { ...r.weights },
    mode: r.mode,
    salt: r.salt,
    ...(r.ramp ? { ramp: { ...r.ramp, steps: [...r.ramp.steps] } } : {}),
  };
}

/** The current deployment of a record as a plain {@link Rollout} (history, fence and state left out). */
export function currentRollout(r: RolloutRecord): Rollout {
  return rolloutOnly(r);
}

/**
 * Applies `plan` to the model's rollout record in one compare-and-set write: the deployment,
 * its history entry, the fence and the controller state move together, so no reader ever sees
 * one without the others. With `expect`, the revision must match (else `CONFLICT`); without,
 * lost races are re-planned on the new record. A write carrying an older fence than the record's
 * is refused with `FENCED`. Each call stamps a fresh `changeId`, so a write that was applied but
 * whose answer was lost is recognised and never applied twice. Versions the plan names must have
 * been checked by the caller.
 */
export async function commitRollout(
  ctx: RegistryContext,
  name: string,
  op: string,
  plan: RolloutPlan,
  options: SetRolloutOptions,
): Promise<RolloutRecord> {
  const actor = options.actor ?? ctx.actor;
  const changeId = randomId();
  for (;;) {
    const read = await readRollout(ctx, name, op);
    const cur = read?.record;
    const revision = cur?.revision ?? null;
    // the fence first: a deposed writer learns it is deposed, not merely that it lost a race
    if (options.fence && cur?.fence && cur.fence.epoch > options.fence.epoch) {
      throw new RegistryError(
        'FENCED',
        `${op}: rollout of model "${name}" was written under lease epoch ${cur.fence.epoch} (${cur.fence.holder}); this writer holds epoch ${options.fence.epoch} (${options.fence.holder}) and is no longer the leader`,
        { operation: op, details: { name, recordEpoch: cur.fence.epoch, writerEpoch: options.fence.epoch } },
      );
    }
    if (options.expect !== undefined && options.expect !== revision) {
      throw new RegistryError(
        'CONFLICT',
        `${op}: rollout of model "${name}" is at revision ${revision ?? 'none'}, expected ${options.expect ?? 'none'}`,
        { operation: op, details: { name, expected: options.expect, actual: revision } },
      );
    }
    const { rollout: r, action } = plan(cur);
    if (action !== null) {
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
    }
    const nextRevision = (revision ?? 0) + 1;
    const at = ctx.clock();
    const history = cur?.history ?? [];
    const entry: DeploymentEntry | undefined =
      action === null
        ? undefined
        : {
            revision: nextRevision,
            action,
            production: r.production,
            candidate: r.candidate ?? null,
            candidateWeight: r.weights.candidate ?? 0,
            mode: r.mode,
            at,
            actor,
            ...(options.reason ? { reason: options.reason } : {}),
            changeId,
            ...(options.fence ? { epoch: options.fence.epoch } : {}),
            ...(options.decisionId ? { decision: options.decisionId } : {}),
          };
    const fence = options.fence ?? cur?.fence;
    const state = options.state ?? cur?.state;
    const next: RolloutRecord = {
      ...r,
      name,
      revision: nextRevision,
      updatedAt: at,
      actor: action === null && cur ? cur.actor : actor,
      ...(action === null && cur?.reason ? { reason: cur.reason } : options.reason ? { reason: options.reason } : {}),
      changeId,
      history: entry ? [...history, entry] : history,
      ...(fence ? { fence: { epoch: fence.epoch, holder: fence.holder } } : {}),
      ...(state ? { state } : {}),
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
    if (action !== null) {
      ctx.log.info(
        { name, action, production: next.production, candidate: next.candidate, revision: next.revision, actor },
        'deployment changed',
      );
    }
    ctx.emit('rolloutChanged', { name, rollout: next, ...(cur ? { previous: cur } : {}) });
    return next;
  }
}

/** Writes a validated rollout as given (`setRollout`): one history entry `set`. */
export function writeRollout(
  ctx: RegistryContext,
  name: string,
  r: Rollout,
  options: SetRolloutOptions,
): Promise<RolloutRecord> {
  return commitRollout(ctx, name, 'registry.setRollout', () => ({ rollout: r, action: 'set' }), options);
}

/** A `RegistryError('INVALID_STATE')` for a deployment change that does not fit the record. */
export function invalidState(op: string, name: string, message: string): RegistryError {
  return new RegistryError('INVALID_STATE', `${op}: model "${name}": ${message}`, {
    operation: op,
    details: { name },
  });
}
