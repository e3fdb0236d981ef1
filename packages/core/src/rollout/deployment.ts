/**
 * Deployment changes as pure plans over the rollout record (internal to the registry): deploy,
 * start a rollout, ramp, promote and roll back — each one compare-and-set write of one record —
 * and the `production` / `candidate` aliases as views of that record.
 */
import { rollbackTarget } from '../registry/alias-history.js';
import type { AliasHistoryEntry } from '../registry/records.js';
import type { StartRolloutInput } from '../registry/registry-options.js';
import { currentRollout, invalidState, type RolloutPlan } from './rollout-ops.js';
import type { DeploymentEntry, Rollout, RolloutRecord } from './rollout.js';

/** The aliases that are views of the rollout record once a model has one. */
export const DEPLOYMENT_ALIASES: ReadonlySet<string> = new Set(['production', 'candidate']);

/** The default ramp steps of `startRollout`: 5 → 10 → 20 → 50 %. */
export const DEFAULT_RAMP_STEPS: readonly number[] = [0.05, 0.1, 0.2, 0.5];

function productionOnly(version: number, salt: string): Rollout {
  return { production: version, weights: { production: 1 }, mode: 'split', salt };
}

function need(op: string, name: string, cur: RolloutRecord | undefined): RolloutRecord {
  if (!cur) throw invalidState(op, name, 'has no rollout yet: deploy a production version first (registry.deploy)');
  return cur;
}

function needCandidate(
  op: string,
  name: string,
  cur: RolloutRecord | undefined,
): RolloutRecord & { candidate: number } {
  const c = need(op, name, cur);
  if (c.candidate === undefined) throw invalidState(op, name, 'has no candidate in its rollout');
  return c as RolloutRecord & { candidate: number };
}

/** Production ← `version`, no candidate (a direct deployment; ends any rollout in progress). */
export function planDeploy(op: string, name: string, version: number, salt?: string): RolloutPlan {
  void op;
  void name;
  return (cur) => ({ rollout: productionOnly(version, salt ?? cur?.salt ?? name), action: 'deploy' });
}

/** Starts a rollout of `input.candidate` against the current production. */
export function planStart(op: string, name: string, input: StartRolloutInput): RolloutPlan {
  return (cur) => {
    const c = need(op, name, cur);
    if (c.candidate !== undefined) {
      throw invalidState(op, name, `a rollout of v${c.candidate} is in progress: promote or roll it back first`);
    }
    if (input.candidate === c.production) throw invalidState(op, name, `v${input.candidate} is already production`);
    const salt = input.salt ?? c.salt;
    const mode = input.mode ?? 'ramp';
    if (mode === 'shadow') {
      return {
        rollout: {
          production: c.production,
          candidate: input.candidate,
          weights: { production: 1, candidate: 0 },
          mode,
          salt,
        },
        action: 'start',
      };
    }
    if (mode === 'split') {
      const w = input.weight ?? 0.1;
      return {
        rollout: {
          production: c.production,
          candidate: input.candidate,
          weights: { production: 1 - w, candidate: w },
          mode,
          salt,
        },
        action: 'start',
      };
    }
    const steps = [...(input.steps ?? DEFAULT_RAMP_STEPS)];
    for (let i = 1; i < steps.length; i++) {
      if (!(steps[i]! > steps[i - 1]!)) throw invalidState(op, name, `ramp steps must increase: [${steps.join(', ')}]`);
    }
    const w = steps[0]!;
    return {
      rollout: {
        production: c.production,
        candidate: input.candidate,
        weights: { production: 1 - w, candidate: w },
        mode: 'ramp',
        salt,
        ramp: { steps, stepIndex: 0, ...(input.intervalMs !== undefined ? { intervalMs: input.intervalMs } : {}) },
      },
      action: 'start',
    };
  };
}

/** Moves a ramp to `step` (default the next one). */
export function planRamp(op: string, name: string, step?: number): RolloutPlan {
  return (cur) => {
    const c = needCandidate(op, name, cur);
    if (c.mode !== 'ramp' || !c.ramp) throw invalidState(op, name, `its rollout is in mode '${c.mode}', not 'ramp'`);
    const to = step ?? c.ramp.stepIndex + 1;
    if (!Number.isInteger(to) || to < 0 || to >= c.ramp.steps.length) {
      throw invalidState(
        op,
        name,
        `ramp step ${to} does not exist (steps ${c.ramp.steps.length}, now at ${c.ramp.stepIndex}); promote instead`,
      );
    }
    const w = c.ramp.steps[to]!;
    const r = currentRollout(c);
    return {
      rollout: { ...r, weights: { production: 1 - w, candidate: w }, ramp: { ...r.ramp!, stepIndex: to } },
      action: 'ramp',
    };
  };
}

/** Production ← the candidate; no candidate. */
export function planPromote(op: string, name: string): RolloutPlan {
  return (cur) => {
    const c = needCandidate(op, name, cur);
    return { rollout: productionOnly(c.candidate, c.salt), action: 'promote' };
  };
}

/** The candidate removed; production alone. */
export function planRollback(op: string, name: string): RolloutPlan {
  return (cur) => {
    const c = needCandidate(op, name, cur);
    return { rollout: productionOnly(c.production, c.salt), action: 'rollback' };
  };
}

/** No deployment change: only the fence and/or the controller state move. */
export function planKeep(op: string, name: string): RolloutPlan {
  return (cur) => ({ rollout: currentRollout(need(op, name, cur)), action: null });
}

/** `setAlias` on a deployment alias of a model that has a rollout. */
export function planAliasSet(op: string, name: string, alias: string, version: number): RolloutPlan {
  return (cur) => {
    const c = need(op, name, cur);
    const r = currentRollout(c);
    if (alias === 'production') {
      if (c.candidate === version) return { rollout: productionOnly(version, c.salt), action: 'promote' };
      return { rollout: { ...r, production: version }, action: 'alias' };
    }
    if (version === c.production)
      throw invalidState(op, name, `v${version} is production; it cannot also be the candidate`);
    if (c.candidate === undefined) {
      return {
        rollout: { ...r, candidate: version, weights: { production: 1, candidate: 0 }, mode: 'split' },
        action: 'alias',
      };
    }
    return { rollout: { ...r, candidate: version }, action: 'alias' };
  };
}

/** The version a deployment alias points to in a record (`undefined`: unset). */
export function deploymentAlias(record: RolloutRecord, alias: string): number | undefined {
  return alias === 'production' ? record.production : record.candidate;
}

/**
 * The history of a deployment alias as alias history entries: `legacy` (the alias document's
 * history from before the model had a rollout) followed by every deployment change that moved it.
 */
export function deploymentAliasHistory(
  record: RolloutRecord,
  alias: string,
  legacy: readonly AliasHistoryEntry[],
): AliasHistoryEntry[] {
  const out = [...legacy];
  let prev: number | null = legacy.length > 0 ? legacy[legacy.length - 1]!.to : null;
  const entries: DeploymentEntry[] = record.history ?? [];
  for (const e of entries) {
    const to = alias === 'production' ? e.production : e.candidate;
    if (to === prev) continue;
    out.push({
      seq: out.length + 1,
      action: to === null ? 'delete' : e.action === 'revert' && alias === 'production' ? 'rollback' : 'set',
      from: prev,
      to,
      at: e.at,
      actor: e.actor,
      ...(e.reason ? { reason: e.reason } : {}),
      id: e.changeId,
    });
    prev = to;
  }
  return out;
}

/** `rollback('production')` of a model with a rollout: production back to its previous version (the alias-stack rule). */
export function planRevert(op: string, name: string, legacy: readonly AliasHistoryEntry[]): RolloutPlan {
  return (cur) => {
    const c = need(op, name, cur);
    const target = rollbackTarget(deploymentAliasHistory(c, 'production', legacy));
    if (target === undefined || target === null) {
      throw invalidState(op, name, 'production has no previous version to roll back to');
    }
    return { rollout: productionOnly(target, c.salt), action: 'revert' };
  };
}
