import { z } from 'zod';
import type { JsonValue } from '../registry/records.js';

const version = z.number().int().positive();
const weight = z.number().min(0).max(1);
const EPS = 1e-9;

/**
 * The rollout of one model: which versions serve, with which weights, in which mode. Routers
 * follow it (through `registry.watch`) and converge on it.
 *
 * - `production`: the version that answers requests (always present).
 * - `candidate`: the version under test (optional; required by `shadow` and `ramp`).
 * - `weights`: traffic fractions in [0, 1] summing to 1: `{ production, candidate? }`. Without a
 *   candidate, `production` is 1. In `shadow` mode `production` is 1 and `candidate` 0 (the
 *   candidate sees copies of production's traffic; its answers are never returned).
 * - `mode`: `'split'` (weighted split), `'shadow'` (mirror), `'ramp'` (split whose candidate weight
 *   follows `ramp.steps`; `weights.candidate` equals `ramp.steps[ramp.stepIndex]`).
 * - `salt`: the salt of the sticky assignment hash; change it to reshuffle units.
 * - `ramp`: `{ steps, stepIndex, intervalMs? }`: increasing candidate weights (e.g. 0.05, 0.1,
 *   0.2, 0.5), the current step, and optionally how long each step should last (a hint for the
 *   controller that advances it).
 */
export const rolloutSchema: z.ZodType<Rollout> = z
  .object({
    production: version,
    candidate: version.optional(),
    weights: z.object({ production: weight, candidate: weight.optional() }).strict(),
    mode: z.enum(['split', 'shadow', 'ramp']),
    salt: z.string().min(1).max(256),
    ramp: z
      .object({
        steps: z.array(z.number().gt(0).max(1)).min(1),
        stepIndex: z.number().int().min(0),
        intervalMs: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const wc = r.weights.candidate ?? 0;
    if (r.candidate === undefined && r.weights.candidate !== undefined && r.weights.candidate !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['weights', 'candidate'],
        message: 'a candidate weight needs a candidate version',
      });
    }
    if (Math.abs(r.weights.production + wc - 1) > EPS) {
      ctx.addIssue({
        code: 'custom',
        path: ['weights'],
        message: `weights must sum to 1 (got ${r.weights.production + wc})`,
      });
    }
    if (r.mode !== 'split' && r.candidate === undefined) {
      ctx.addIssue({ code: 'custom', path: ['candidate'], message: `mode '${r.mode}' needs a candidate version` });
    }
    if (r.mode === 'shadow' && r.weights.production !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['weights', 'production'],
        message: "mode 'shadow' needs weights.production = 1",
      });
    }
    if (r.mode === 'ramp') {
      if (!r.ramp) {
        ctx.addIssue({ code: 'custom', path: ['ramp'], message: "mode 'ramp' needs ramp: { steps, stepIndex }" });
        return;
      }
      const { steps, stepIndex } = r.ramp;
      for (let i = 1; i < steps.length; i++) {
        if (!(steps[i]! > steps[i - 1]!))
          ctx.addIssue({ code: 'custom', path: ['ramp', 'steps', i], message: 'steps must increase' });
      }
      if (stepIndex >= steps.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['ramp', 'stepIndex'],
          message: `must be below steps.length (${steps.length})`,
        });
      } else if (Math.abs(steps[stepIndex]! - wc) > EPS) {
        ctx.addIssue({
          code: 'custom',
          path: ['weights', 'candidate'],
          message: `must equal ramp.steps[${stepIndex}] = ${steps[stepIndex]}`,
        });
      }
    }
  });

/** The rollout a caller sets (validated by {@link rolloutSchema}, which states every rule). */
export interface Rollout {
  /** The version that answers requests. */
  production: number;
  /** The version under test; required by `shadow` and `ramp`. */
  candidate?: number | undefined;
  /** Traffic fractions in [0, 1] summing to 1 (`candidate` only with a candidate version). */
  weights: {
    /** The production version's share. */
    production: number;
    /** The candidate version's share; default 0. */
    candidate?: number | undefined;
  };
  /** `'split'` (weighted split), `'shadow'` (mirror to the candidate) or `'ramp'` (stepped split). */
  mode: 'split' | 'shadow' | 'ramp';
  /** The salt of the sticky assignment hash; change it to reshuffle units. */
  salt: string;
  /** The ramp plan (mode `ramp` only). */
  ramp?:
    | {
        /** Increasing candidate weights in (0, 1], e.g. 0.05, 0.1, 0.2, 0.5. */
        steps: number[];
        /** The current step: `weights.candidate` equals `steps[stepIndex]`. */
        stepIndex: number;
        /** How long each step should last (ms), a hint for the controller that advances it. */
        intervalMs?: number | undefined;
      }
    | undefined;
}

/** What a deployment change did (one entry of {@link RolloutRecord.history}). */
export type DeploymentAction = 'set' | 'deploy' | 'start' | 'ramp' | 'promote' | 'rollback' | 'revert' | 'alias';

/**
 * One entry of a rollout's append-only deployment history: what the change did and the state it
 * left (production, candidate, the candidate's share). `aliasHistory('production')` and
 * `aliasAt` read it, so "what was production at time T" has one answer.
 */
export interface DeploymentEntry {
  /** The record revision this change produced. */
  revision: number;
  /** What the change did. */
  action: DeploymentAction;
  /** The production version after the change. */
  production: number;
  /** The candidate version after the change (`null`: none). */
  candidate: number | null;
  /** The candidate's traffic share after the change. */
  candidateWeight: number;
  /** The mode after the change. */
  mode: Rollout['mode'];
  /** When (epoch milliseconds, the registry's clock). */
  at: number;
  /** Who. */
  actor: string;
  /** Why, if given. */
  reason?: string;
  /** The change id of the write. */
  changeId: string;
  /** The fencing epoch the writer held, if it gave one. */
  epoch?: number;
  /** The id of the decision this change applied (a controller's decision-log entry), if given. */
  decision?: string;
}

/** A stored rollout: the {@link Rollout} plus who set it, when, why, and its revision. */
export interface RolloutRecord extends Rollout {
  /** The model it belongs to. */
  name: string;
  /** 1 for the first rollout of a model, +1 on every change; pass it as `expect` to compare-and-set. */
  revision: number;
  /** When it was set (epoch milliseconds from the registry's clock). */
  updatedAt: number;
  /** Who set it. */
  actor: string;
  /** Why, if given. */
  reason?: string;
  /** A random id of the `setRollout` call that wrote it (how a retried write recognises itself). */
  changeId?: string;
  /** Every deployment change, oldest first (absent on records written before it existed). */
  history?: DeploymentEntry[];
  /** The highest fencing token a write carried (see `RolloutFence`); writes with a lower epoch are refused. */
  fence?: { epoch: number; holder: string };
  /** The controller's state, written atomically with the deployment (opaque to the registry). */
  state?: { [key: string]: JsonValue };
}
