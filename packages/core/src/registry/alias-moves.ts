import { RegistryError, isModelshipError } from '../errors.js';
import { decodeJson, encodeJson, randomId } from './bytes.js';
import type { RegistryContext } from './context.js';
import { registryKeys as K } from './keys.js';
import type { AliasHistoryEntry, AliasRecord } from './records.js';
import type { AliasMoveOptions, AuthorizationRequest } from './registry-options.js';

/** Reads an alias document and its etag (names already validated). */
export async function readAlias(
  ctx: RegistryContext,
  name: string,
  alias: string,
  op: string,
): Promise<{ record: AliasRecord; etag: string } | undefined> {
  const e = await ctx.store.get(K.alias(name, alias));
  return e ? { record: decodeJson<AliasRecord>(e.body, K.alias(name, alias), op), etag: e.etag } : undefined;
}

/** Every alias currently set on a model, alias → version (name already validated). */
export async function listAliases(ctx: RegistryContext, name: string, op: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const k of await ctx.store.list(K.aliasesPrefix(name))) {
    const e = await ctx.store.get(k);
    if (!e) continue;
    const rec = decodeJson<AliasRecord>(e.body, k, op);
    if (rec.version !== null) out[rec.alias] = rec.version;
  }
  return out;
}

/**
 * Moves an alias by compare-and-set on its document (current target + append-only history),
 * retrying lost races only when no `expect` was given. Returns the history entry written.
 */
export async function moveAlias(
  ctx: RegistryContext,
  op: string,
  operation: AuthorizationRequest['operation'],
  action: AliasHistoryEntry['action'],
  name: string,
  alias: string,
  targetOf: (rec: AliasRecord | undefined) => number | null,
  options: AliasMoveOptions,
): Promise<AliasHistoryEntry> {
  const actor = options.actor ?? ctx.actor;
  const id = randomId();
  for (;;) {
    const cur = await readAlias(ctx, name, alias, op);
    const from = cur?.record.version ?? null;
    if (options.expect !== undefined && options.expect !== from) {
      throw new RegistryError(
        'CONFLICT',
        `${op}: alias "${alias}" of model "${name}" points to ${from ?? 'nothing'}, expected ${options.expect ?? 'nothing'}`,
        {
          operation: op,
          details: { name, alias, expected: options.expect, actual: from },
        },
      );
    }
    const to = targetOf(cur?.record);
    if (action === 'set' && to === from && cur) return cur.record.history[cur.record.history.length - 1]!;
    const forced = await authorize(
      ctx,
      op,
      { operation, name, alias, from, to, actor, ...(options.reason ? { reason: options.reason } : {}) },
      options.force === true,
    );
    const history = cur?.record.history ?? [];
    const entry: AliasHistoryEntry = {
      seq: history.length + 1,
      action,
      from,
      to,
      at: ctx.clock(),
      actor,
      ...(options.reason ? { reason: options.reason } : {}),
      ...(forced ? { forced: true } : {}),
      id,
    };
    const next: AliasRecord = { name, alias, version: to, history: [...history, entry] };
    try {
      await ctx.store.put(K.alias(name, alias), encodeJson(next), cur ? { ifMatch: cur.etag } : { ifNoneMatch: '*' });
    } catch (err) {
      if (!isModelshipError(err, 'RegistryError', 'CONFLICT')) throw err;
      // A write that was applied but whose answer was lost (then retried) finds its own entry.
      const now = await readAlias(ctx, name, alias, op);
      if (!now?.record.history.some((h) => h.id === id)) {
        if (options.expect !== undefined) {
          throw new RegistryError('CONFLICT', `${op}: alias "${alias}" of model "${name}" was moved concurrently`, {
            operation: op,
            details: { name, alias, expected: options.expect },
            cause: err,
          });
        }
        continue;
      }
    }
    ctx.log.info({ name, alias, from, to, actor, reason: options.reason }, 'alias moved');
    ctx.emit('aliasMoved', { name, alias, from, to, entry });
    return entry;
  }
}

/** Returns true when the move was forced; throws `FORBIDDEN` when it is not allowed. */
export async function authorize(
  ctx: RegistryContext,
  op: string,
  req: AuthorizationRequest,
  force: boolean,
): Promise<boolean> {
  const isProtected = req.alias !== undefined && ctx.protectedAliases.has(req.alias);
  if (req.operation === 'setRollout' || !isProtected) {
    if (ctx.authorizer && req.operation === 'setRollout' && !force && !(await ctx.authorizer(req))) {
      throw new RegistryError('FORBIDDEN', `${op}: the authorizer refused the rollout change of model "${req.name}"`, {
        operation: op,
        details: { ...req },
      });
    }
    return false;
  }
  if (force) return true;
  if (ctx.authorizer) {
    if (await ctx.authorizer(req)) return false;
    throw new RegistryError(
      'FORBIDDEN',
      `${op}: the authorizer refused to move protected alias "${req.alias}" of model "${req.name}"`,
      { operation: op, details: { ...req } },
    );
  }
  if (req.operation === 'rollback') return false;
  throw new RegistryError(
    'FORBIDDEN',
    `${op}: alias "${req.alias}" of model "${req.name}" is protected: pass { force: true } or configure an authorizer`,
    {
      operation: op,
      details: { ...req },
    },
  );
}
