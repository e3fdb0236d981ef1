import { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { JsonValue } from './records.js';
import type { Store } from '../store/store.js';

/** What an {@link Authorizer} is asked to approve. */
export interface AuthorizationRequest {
  /** The operation: `setAlias`, `deleteAlias`, `rollback` (on a protected alias) or `setRollout`. */
  operation: 'setAlias' | 'deleteAlias' | 'rollback' | 'setRollout';
  /** The model name. */
  name: string;
  /** The alias (absent for `setRollout`). */
  alias?: string;
  /** The current target. */
  from: number | null;
  /** The requested target. */
  to: number | null;
  /** Who asks. */
  actor: string;
  /** Why, if given. */
  reason?: string;
}

/** Approves (true) or refuses (false) a change of a protected alias or a rollout. */
export type Authorizer = (request: AuthorizationRequest) => boolean | Promise<boolean>;

/** What a codec reports about an artifact so `register` can fill metadata not given. */
export interface ArtifactDescription {
  /** Offline metrics. */
  metrics?: Record<string, number>;
  /** Training parameters. */
  params?: Record<string, JsonValue>;
  /** The training data fingerprint. */
  fingerprint?: string;
}

/**
 * How the registry turns model artifact objects into bytes and back. The registry itself only
 * stores bytes; the codec is what `register(name, artifact)` and `loadArtifact` use.
 */
export interface ArtifactCodec<A = unknown> {
  /** Encodes an artifact to bytes. */
  encode(artifact: A): Uint8Array;
  /** Decodes (and verifies) bytes into an artifact. */
  decode(bytes: Uint8Array, options: { expectedSha256?: string }): A;
  /** Metrics, params and fingerprint carried by the artifact (optional). */
  describe?(artifact: A): ArtifactDescription;
}

/**
 * Test hooks: awaited at fixed points of `register`, so a test can pause or kill it mid-way.
 *
 * @internal Not part of the public surface (used by the registry's own tests and the conformance suite).
 */
export interface RegistryTestHooks {
  /** Awaited after each chunk of a streamed blob write (`written` of `total` bytes). */
  blobChunkWritten?(written: number, total: number): void | Promise<void>;
  /** Awaited after the blob is stored and before the version record is committed. */
  beforeVersionCommit?(name: string): void | Promise<void>;
}

/** Options of {@link createRegistry}. */
export interface RegistryOptions<A = unknown> {
  /** The store holding every record and blob. */
  store: Store;
  /** A pino-compatible logger; default silent. */
  logger?: Logger;
  /** Milliseconds since the epoch; default `Date.now`. */
  clock?: () => number;
  /** Who acts when an operation does not say; default `'anonymous'`. */
  actor?: string;
  /** Approves moves of protected aliases without `force` (and rollout changes); default none. */
  authorizer?: Authorizer;
  /** Aliases that need `force` or the authorizer to move; default `['production']`. */
  protectedAliases?: string[];
  /** Budget of the verified-artifact cache in bytes; default 64 MiB (0 disables it). */
  cacheBytes?: number;
  /** Artifacts larger than this are written and read as streams; default 8 MiB. */
  streamThresholdBytes?: number;
  /** The codec for artifact objects in `register` and `loadArtifact`; default modelship's ModelArtifact format (`createRegistry`). */
  artifactCodec?: ArtifactCodec<A>;
  /** How many version numbers `register` tries before giving up; default 10,000. */
  maxAllocationAttempts?: number;
  /** Whether `close()` also closes the store; default true. */
  closeStore?: boolean;
  /** @internal Test hooks (see {@link RegistryTestHooks}); default none. */
  hooks?: RegistryTestHooks;
}

const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'expected a function');
const optionsSchema = z.object({
  store: z.custom<Store>(
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      ['get', 'head', 'put', 'list', 'delete', 'getStream', 'putStream'].every(
        (m) => typeof (v as Record<string, unknown>)[m] === 'function',
      ),
    'expected a Store (get, head, put, list, delete, getStream, putStream)',
  ),
  logger: z
    .custom<Logger>(
      (v) => typeof v === 'object' && v !== null && typeof (v as Logger).error === 'function',
      'expected a pino-compatible logger',
    )
    .optional(),
  clock: fn.optional(),
  actor: z.string().min(1).max(256).optional(),
  authorizer: fn.optional(),
  protectedAliases: z.array(z.string()).optional(),
  cacheBytes: z.number().int().min(0).optional(),
  streamThresholdBytes: z.number().int().positive().optional(),
  artifactCodec: z
    .custom<ArtifactCodec>(
      (v) =>
        typeof v === 'object' &&
        v !== null &&
        typeof (v as ArtifactCodec).encode === 'function' &&
        typeof (v as ArtifactCodec).decode === 'function',
      'expected { encode, decode }',
    )
    .optional(),
  maxAllocationAttempts: z.number().int().positive().optional(),
  closeStore: z.boolean().optional(),
  hooks: z.object({}).passthrough().optional(),
});

/** Validates registry options, throwing `ValidationError('INVALID_OPTIONS')` that names the field. */
export function validateRegistryOptions<A>(options: RegistryOptions<A>): void {
  const r = optionsSchema.safeParse(options);
  if (!r.success) {
    throw new ValidationError('INVALID_OPTIONS', `createRegistry: ${z.prettifyError(r.error)}`, {
      operation: 'createRegistry',
    });
  }
}

/** Metadata of one `register` call. Every field is optional. */
export interface RegisterMeta {
  /** Offline metrics (default: from the artifact, else none). */
  metrics?: Record<string, number>;
  /** Training parameters (default: from the artifact, else none). */
  params?: Record<string, JsonValue>;
  /** Free tags of the version (key → value). */
  tags?: Record<string, string>;
  /** The training data fingerprint (default: from the artifact). */
  fingerprint?: string;
  /** The dataset version it was trained on (must be registered). */
  dataset?: {
    /** The dataset name. */
    name: string;
    /** The dataset version number. */
    version: number;
  };
  /** A free description. */
  description?: string;
  /** Who registers (default: the registry's actor). */
  actor?: string;
  /** Tags of the model itself, applied when this call creates the model. */
  modelTags?: Record<string, string>;
  /** A description of the model, applied when this call creates the model. */
  modelDescription?: string;
}

const tags = z.record(z.string().min(1).max(128), z.string().max(1024));
/** The zod schema of {@link RegisterMeta}. */
export const registerMetaSchema = z
  .object({
    metrics: z.record(z.string().min(1), z.number().refine(Number.isFinite, 'expected a finite number')).optional(),
    params: z.record(z.string(), z.json()).optional(),
    tags: tags.optional(),
    fingerprint: z.string().min(1).max(512).optional(),
    dataset: z.object({ name: z.string(), version: z.number().int().positive() }).strict().optional(),
    description: z.string().max(10_000).optional(),
    actor: z.string().min(1).max(256).optional(),
    modelTags: tags.optional(),
    modelDescription: z.string().max(10_000).optional(),
  })
  .strict();

/** Options of moves: `setAlias`, `deleteAlias`, `rollback`. */
export interface AliasMoveOptions {
  /** Compare-and-set: the version the alias must point to now (`null`: must be absent); default omitted: no check. */
  expect?: number | null | undefined;
  /** Allows moving a protected alias without the authorizer; default false. */
  force?: boolean | undefined;
  /** Why (recorded in the history); default none. */
  reason?: string | undefined;
  /** Who (default: the registry's actor). */
  actor?: string | undefined;
}

const reason = z.string().max(10_000);
const actor = z.string().min(1).max(256);
const positiveInt = z.number().int().positive();

/** The zod schema of {@link AliasMoveOptions}. */
export const aliasMoveOptionsSchema = z
  .object({
    expect: positiveInt.nullable().optional(),
    force: z.boolean().optional(),
    reason: reason.optional(),
    actor: actor.optional(),
  })
  .strict();

/**
 * A fencing token: the epoch of the lease its writer holds. A rollout write carrying a fence is
 * refused (`FENCED`) when the record was already written under a higher epoch, so a deposed
 * leader's late write cannot land.
 */
export interface RolloutFence {
  /** The lease epoch (increases with every change of leader). */
  epoch: number;
  /** Who holds the lease (a controller id). */
  holder: string;
}

/** Options of `setRollout` and of every deployment change (`deploy`, `startRollout`, `rampRollout`, `promoteCandidate`, `rollbackCandidate`). */
export interface SetRolloutOptions {
  /** Compare-and-set: the revision that must be current (`null`: no rollout yet); default omitted: no check. */
  expect?: number | null | undefined;
  /** Why (stored in the record and its history); default none. */
  reason?: string | undefined;
  /** Who (default: the registry's actor). */
  actor?: string | undefined;
  /** The writer's fencing token (see {@link RolloutFence}); default none (no fencing check). */
  fence?: RolloutFence | undefined;
  /**
   * The controller's state to store in the same write (replaces the record's `state`); default:
   * kept as it is. A state machine that keeps its phase here moves with the deployment, atomically.
   */
  state?: { [key: string]: JsonValue } | undefined;
  /** The id of the decision the change applies, stored in its history entry (how a decision log is matched to what landed). */
  decisionId?: string | undefined;
}

const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

/** The zod schema of {@link RolloutFence}. */
export const rolloutFenceSchema = z.strictObject({
  epoch: z.number().int().nonnegative(),
  holder: z.string().min(1).max(256),
});

/** The zod schema of {@link SetRolloutOptions}. */
export const setRolloutOptionsSchema = z
  .object({
    expect: positiveInt.nullable().optional(),
    reason: reason.optional(),
    actor: actor.optional(),
    fence: rolloutFenceSchema.optional(),
    state: z.record(z.string(), jsonValue).optional(),
    decisionId: z.string().min(1).max(256).optional(),
  })
  .strict();

/** What `startRollout` starts. */
export interface StartRolloutInput {
  /** The candidate version. */
  candidate: number;
  /** `'ramp'` (stepped split, the default), `'split'` (fixed weight) or `'shadow'` (mirror). */
  mode?: 'ramp' | 'split' | 'shadow' | undefined;
  /** Ramp steps (increasing candidate shares in (0, 1]); default `[0.05, 0.1, 0.2, 0.5]`. */
  steps?: number[] | undefined;
  /** The candidate's share in `split` mode; default 0.1. */
  weight?: number | undefined;
  /** How long each ramp step should last (ms), a hint for the controller; default none. */
  intervalMs?: number | undefined;
  /** The assignment salt; default the current rollout's. */
  salt?: string | undefined;
}

/** The zod schema of {@link StartRolloutInput}. */
export const startRolloutInputSchema = z.strictObject({
  candidate: positiveInt,
  mode: z.enum(['ramp', 'split', 'shadow']).optional(),
  steps: z.array(z.number().gt(0).max(1)).min(1).optional(),
  weight: z.number().gt(0).lt(1).optional(),
  intervalMs: positiveInt.optional(),
  salt: z.string().min(1).max(256).optional(),
});
