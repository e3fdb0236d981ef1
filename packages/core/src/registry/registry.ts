import { RegistryError, ValidationError, isModelshipError } from '../errors.js';
import { targetAt, rollbackTarget } from './alias-history.js';
import { BlobCache } from './blob-cache.js';
import { decodeJson } from './bytes.js';
import { SafeEmitter } from '../events/safe-emitter.js';
import { childLogger, type Logger } from '../logger.js';
import type { RegistryEvents } from './events.js';
import {
  aliasListSchema,
  modelQuerySchema,
  resolveOptionsSchema,
  timeSchema,
  versionQuerySchema,
  versionRefSchema,
} from './inputs.js';
import { registryKeys as K, versionFromKey } from './keys.js';
import { validateName, validateVersion } from './names.js';
import type {
  AliasHistoryEntry,
  AliasRecord,
  DatasetVersion,
  DatasetVersionInput,
  ModelRecord,
  ModelVersion,
} from './records.js';
import {
  aliasMoveOptionsSchema,
  setRolloutOptionsSchema,
  startRolloutInputSchema,
  type StartRolloutInput,
  validateRegistryOptions,
  type AliasMoveOptions,
  type RegisterMeta,
  type RegistryOptions,
  type SetRolloutOptions,
} from './registry-options.js';
import { registerVersion } from './register-op.js';
import {
  resolveFirst,
  type LoadedVersion,
  type ResolveOptions,
  type ResolveResult,
  type VersionRef,
} from './resolve-op.js';
import { rolloutSchema, type DeploymentEntry, type Rollout, type RolloutRecord } from '../rollout/rollout.js';
import { matchModel, matchVersion, type ModelQuery, type VersionQuery } from './search.js';
import type { Store } from '../store/store.js';
import { RegistryWatcher, type WatchOptions } from './watch.js';
import { readBlob, streamBlob } from './blob-io.js';
import { authorize, listAliases, moveAlias, readAlias } from './alias-moves.js';
import {
  DEPLOYMENT_ALIASES,
  deploymentAlias,
  deploymentAliasHistory,
  planAliasSet,
  planDeploy,
  planKeep,
  planPromote,
  planRamp,
  planRevert,
  planRollback,
  planStart,
} from '../rollout/deployment.js';
import { getModel, listModels, tagModel } from './model-ops.js';
import { notFound, parseInput, type RegistryContext } from './context.js';
import { getDataset, listDatasets, listDatasetVersions, registerDataset } from './dataset-ops.js';
import { commitRollout, readRollout, writeRollout, type RolloutPlan } from '../rollout/rollout-ops.js';
import { modelArtifactCodec } from './artifact-codec.js';
import type { ModelArtifact } from '../artifact/model-artifact.js';

export type { LoadedVersion, ResolveOptions, ResolveResult, VersionRef } from './resolve-op.js';

/**
 * The versioned model registry: models with immutable numbered versions, datasets, aliases
 * moved by compare-and-set with an append-only history, rollouts, watch, resolve and search,
 * over any {@link Store}. Create one with {@link createRegistry}.
 */
export class ModelRegistry<A = ModelArtifact> extends SafeEmitter<RegistryEvents> {
  /** The store it works on. */
  readonly store: Store;
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly actor: string;
  private readonly protectedAliases: ReadonlySet<string>;
  private readonly cache: BlobCache;
  private readonly versionCache = new Map<string, ModelVersion>();
  private readonly watchers = new Set<RegistryWatcher>();
  private readonly ctx: RegistryContext;
  private closed = false;

  /** Use {@link createRegistry}. */
  constructor(private readonly options: RegistryOptions<A>) {
    validateRegistryOptions(options);
    const log = childLogger(options.logger, { component: 'registry' });
    super(log);
    this.log = log;
    this.store = options.store;
    this.clock = options.clock ?? Date.now;
    this.actor = options.actor ?? 'anonymous';
    this.protectedAliases = new Set(
      (options.protectedAliases ?? ['production']).map((a) => validateName(a, 'protectedAliases', 'createRegistry')),
    );
    this.cache = new BlobCache(options.cacheBytes ?? 64 * 1024 * 1024);
    this.ctx = {
      store: this.store,
      clock: this.clock,
      actor: this.actor,
      log: this.log,
      protectedAliases: this.protectedAliases,
      authorizer: options.authorizer,
      maxAllocationAttempts: options.maxAllocationAttempts ?? 10_000,
      emit: (event, ...args) => this.emitSafely(event, ...(args as never)), // ctx.emit types the payload
    };
  }

  // ---- models and versions ------------------------------------------------------------------

  /**
   * Registers a new immutable version of model `name` (created if new) and returns its record.
   * `artifact` is either the artifact bytes or an artifact object (encoded with the registry's
   * codec, which also supplies metrics, params and fingerprint not given in `meta`).
   */
  async register(name: string, artifact: A | Uint8Array, meta: RegisterMeta = {}): Promise<ModelVersion> {
    this.assertOpen('registry.register');
    return registerVersion(this.ctx, this.options, name, artifact, meta, (d, v) => this.getDataset(d, v));
  }

  /** Every model name, sorted. */
  async listModels(): Promise<string[]> {
    this.assertOpen('registry.listModels');
    return listModels(this.ctx);
  }

  /** The model record; throws `NOT_FOUND`. */
  async getModel(name: string): Promise<ModelRecord> {
    this.assertOpen('registry.getModel');
    return getModel(this.ctx, name);
  }

  /** Replaces a model's tags (merged with `tags`; a `null` value removes a tag) by compare-and-set with retry. */
  async tagModel(name: string, tags: Record<string, string | null>): Promise<ModelRecord> {
    this.assertOpen('registry.tagModel');
    return tagModel(this.ctx, name, tags);
  }

  /** Every version record of a model, oldest first (empty when the model does not exist). */
  async listVersions(name: string): Promise<ModelVersion[]> {
    const op = 'registry.listVersions';
    this.assertOpen(op);
    name = validateName(name, 'name', op);
    const keys = await this.store.list(K.versionsPrefix(name));
    const out: ModelVersion[] = [];
    for (const k of keys) {
      const v = versionFromKey(k);
      if (v !== undefined) out.push(await this.getVersion(name, v));
    }
    return out;
  }

  /** One version record; throws `NOT_FOUND`. Records are immutable, so they are cached. */
  async getVersion(name: string, version: number): Promise<ModelVersion> {
    const op = 'registry.getVersion';
    this.assertOpen(op);
    name = validateName(name, 'name', op);
    version = validateVersion(version, 'version', op);
    const key = K.version(name, version);
    const cached = this.versionCache.get(key);
    if (cached) return cached;
    const e = await this.store.get(key);
    if (!e) throw notFound(op, `model "${name}" has no version ${version}`, { name, version });
    const rec = decodeJson<ModelVersion>(e.body, key, op);
    this.versionCache.set(key, rec);
    return rec;
  }

  /** The version number a reference points to: a number, a numeric string, or an alias. */
  async resolveVersion(name: string, ref: VersionRef): Promise<number> {
    const op = 'registry.resolveVersion';
    this.assertOpen(op);
    ref = parseInput(versionRefSchema, ref, op, 'ref');
    if (typeof ref === 'number') return validateVersion(ref, 'version', op);
    if (/^[0-9]+$/.test(ref)) return validateVersion(Number(ref), 'version', op);
    const v = await this.getAlias(name, ref);
    if (v === undefined) throw notFound(op, `model "${name}" has no alias "${ref}"`, { name, alias: ref });
    return v;
  }

  /**
   * Loads a version's artifact bytes by version or alias, verified against the recorded sha256
   * and size: a mismatch throws `INTEGRITY` naming the model and version.
   */
  async load(name: string, ref: VersionRef): Promise<LoadedVersion> {
    const op = 'registry.load';
    this.assertOpen(op);
    name = validateName(name, 'name', op);
    const version = await this.getVersion(name, await this.resolveVersion(name, ref));
    const cached = this.cache.get(version.sha256);
    if (cached) return { version, bytes: cached.slice() }; // a copy: callers cannot alter the verified cache
    const bytes = await readBlob(this.store, version, op, this.options.streamThresholdBytes ?? 8 << 20);
    if (bytes.length <= (this.options.cacheBytes ?? 64 << 20)) this.cache.set(version.sha256, bytes.slice());
    return { version, bytes };
  }

  /** Streams a version's artifact; the stream throws `INTEGRITY` at its end if the bytes do not match. */
  async openArtifactStream(
    name: string,
    ref: VersionRef,
  ): Promise<{
    /** The resolved version record. */
    version: ModelVersion;
    /** The artifact bytes, in chunks. */
    stream: AsyncIterable<Uint8Array>;
  }> {
    const op = 'registry.openArtifactStream';
    this.assertOpen(op);
    name = validateName(name, 'name', op);
    const version = await this.getVersion(name, await this.resolveVersion(name, ref));
    return { version, stream: await streamBlob(this.store, version, op) };
  }

  /** Loads and decodes a version's artifact with the registry's codec. */
  async loadArtifact(
    name: string,
    ref: VersionRef,
  ): Promise<{
    /** The resolved version record. */
    version: ModelVersion;
    /** The decoded artifact. */
    artifact: A;
  }> {
    const op = 'registry.loadArtifact';
    const codec = this.options.artifactCodec;
    if (!codec)
      throw new ValidationError('INVALID_OPTIONS', `${op}: this registry has no artifactCodec`, { operation: op });
    const { version, bytes } = await this.load(name, ref);
    try {
      return { version, artifact: codec.decode(bytes, { expectedSha256: version.sha256 }) };
    } catch (cause) {
      if (isModelshipError(cause, 'ArtifactError', 'INTEGRITY')) {
        throw new RegistryError(
          'INTEGRITY',
          `${op}: artifact of model "${name}" version ${version.version} failed verification`,
          { operation: op, details: { name, version: version.version }, cause },
        );
      }
      throw cause;
    }
  }

  /**
   * The first of `aliases` that resolves and loads (verified), else the local `fallback` file,
   * else `NOT_FOUND`. Aliases that are missing or fail verification are logged and skipped.
   */
  async resolve(name: string, aliases: readonly string[], options: ResolveOptions = {}): Promise<ResolveResult> {
    const op = 'registry.resolve';
    this.assertOpen(op);
    name = validateName(name, 'name', op);
    const list = parseInput(aliasListSchema, aliases, op, 'aliases').map((a, i) =>
      validateName(a, `aliases[${i}]`, op),
    );
    const o = parseInput(resolveOptionsSchema, options, op, 'options');
    return resolveFirst(op, name, list, o, {
      getAlias: (a) => this.getAlias(name, a),
      load: (v) => this.load(name, v),
      log: this.log,
    });
  }

  // ---- aliases --------------------------------------------------------------------------------

  /** The version an alias points to now, or `undefined`. */
  async getAlias(name: string, alias: string): Promise<number | undefined> {
    const op = 'registry.getAlias';
    const dep = await this.deploymentOf(name, alias, op);
    if (dep) return deploymentAlias(dep, alias);
    return (await this.readAlias(name, alias, op))?.record.version ?? undefined;
  }

  /** The rollout record when `alias` is a deployment alias (`production`, `candidate`) of a model that has one. */
  private async deploymentOf(name: string, alias: string, op: string): Promise<RolloutRecord | undefined> {
    this.assertOpen(op);
    name = validateName(name, 'name', op);
    alias = validateName(alias, 'alias', op);
    if (!DEPLOYMENT_ALIASES.has(alias)) return undefined;
    return (await readRollout(this.ctx, name, op))?.record;
  }

  /** Every alias currently set on a model (alias → version). */
  async listAliases(name: string): Promise<Record<string, number>> {
    const op = 'registry.listAliases';
    this.assertOpen(op);
    name = validateName(name, 'name', op);
    const out = await listAliases(this.ctx, name, op);
    const dep = (await readRollout(this.ctx, name, op))?.record;
    if (dep) {
      out.production = dep.production;
      if (dep.candidate !== undefined) out.candidate = dep.candidate;
      else delete out.candidate;
    }
    return out;
  }

  /** The append-only history of an alias, oldest first (empty when never set). */
  async aliasHistory(name: string, alias: string): Promise<AliasHistoryEntry[]> {
    const op = 'registry.aliasHistory';
    const legacy = (await this.readAlias(name, alias, op))?.record.history ?? [];
    const dep = await this.deploymentOf(name, alias, op);
    return dep ? deploymentAliasHistory(dep, alias, legacy) : legacy;
  }

  /** What the alias pointed to at `time` (epoch ms or Date), or `undefined` (not set then). */
  async aliasAt(name: string, alias: string, time: number | Date): Promise<number | undefined> {
    const t = parseInput(timeSchema, time, 'registry.aliasAt', 'time');
    return targetAt(await this.aliasHistory(name, alias), typeof t === 'number' ? t : t.getTime());
  }

  /**
   * Points `alias` at `version` by compare-and-set: with `expect`, fails with `CONFLICT` unless
   * the alias points to `expect` (`null`: is unset) at the moment of the write. A protected
   * alias needs `force` or the authorizer's approval (else `FORBIDDEN`). Returns the history entry.
   * Setting an alias to the version it already points to writes nothing and returns the last entry.
   *
   * Aliases record decisions (who moved `production`, when, why; `aliasAt`, `rollback`); routers
   * follow only the rollout record. So promoting a version is two compare-and-set writes, in this
   * order: first the alias (the gate: protected, authorized, in the history; a `CONFLICT` here
   * changes nothing), then the rollout (what routers serve). The store has no multi-key
   * transaction, so if the second write fails the alias is already moved: retry `setRollout`
   * (re-read the rollout for its `revision`) until it lands. See {@link ModelRegistry.setRollout}.
   *
   * @example
   * ```ts
   * const current = await registry.getAlias('iris', 'production');
   * await registry.setAlias('iris', 'production', 4, { expect: current ?? null, force: true, reason: 'beats v3 by 2 points' });
   * const r = await registry.getRollout('iris');
   * await registry.setRollout('iris', { production: 4, weights: { production: 1 }, mode: 'split', salt: r?.salt ?? 'iris' },
   *   { expect: r?.revision ?? null, reason: 'promote v4' });
   * ```
   */
  async setAlias(
    name: string,
    alias: string,
    version: number,
    options: AliasMoveOptions = {},
  ): Promise<AliasHistoryEntry> {
    const op = 'registry.setAlias';
    this.assertOpen(op);
    name = validateName(name, 'name', op);
    alias = validateName(alias, 'alias', op);
    version = validateVersion(version, 'version', op);
    const o = parseInput(aliasMoveOptionsSchema, options, op, 'options');
    await this.getVersion(name, version);
    const dep = await this.deploymentOf(name, alias, op);
    if (dep) return this.moveDeploymentAlias(op, 'setAlias', name, alias, version, o);
    return moveAlias(this.ctx, op, 'setAlias', 'set', name, alias, () => version, o);
  }

  /** Unsets an alias by compare-and-set (history is kept); same rules as {@link ModelRegistry.setAlias}. */
  async deleteAlias(name: string, alias: string, options: AliasMoveOptions = {}): Promise<AliasHistoryEntry> {
    const op = 'registry.deleteAlias';
    this.assertOpen(op);
    name = validateName(name, 'name', op);
    alias = validateName(alias, 'alias', op);
    const o = parseInput(aliasMoveOptionsSchema, options, op, 'options');
    if (await this.deploymentOf(name, alias, op))
      return this.moveDeploymentAlias(op, 'deleteAlias', name, alias, null, o);
    return moveAlias(
      this.ctx,
      op,
      'deleteAlias',
      'delete',
      name,
      alias,
      (rec) => {
        if (!rec || rec.version === null)
          throw notFound(op, `model "${name}" has no alias "${alias}"`, { name, alias });
        return null;
      },
      o,
    );
  }

  /**
   * Moves the alias back to its previous target (after 1 → 2 → 3, to 2; again, to 1). Allowed on
   * protected aliases (it only returns to a target the alias had), but an authorizer, if
   * configured, is asked unless `force`. Throws `NOT_FOUND` when there is no previous target.
   */
  async rollback(name: string, alias: string, options: AliasMoveOptions = {}): Promise<AliasHistoryEntry> {
    const op = 'registry.rollback';
    this.assertOpen(op);
    name = validateName(name, 'name', op);
    alias = validateName(alias, 'alias', op);
    const o = parseInput(aliasMoveOptionsSchema, options, op, 'options');
    if (await this.deploymentOf(name, alias, op)) return this.moveDeploymentAlias(op, 'rollback', name, alias, null, o);
    return moveAlias(
      this.ctx,
      op,
      'rollback',
      'rollback',
      name,
      alias,
      (rec) => {
        const target = rec ? rollbackTarget(rec.history) : undefined;
        if (target === undefined)
          throw notFound(op, `alias "${alias}" of model "${name}" has no previous target`, { name, alias });
        return target;
      },
      o,
    );
  }

  /**
   * A move of a deployment alias once the model has a rollout: one write of the rollout record
   * (so the alias and what routers serve never disagree), with the alias rules (expect, protected).
   */
  private async moveDeploymentAlias(
    op: string,
    operation: 'setAlias' | 'deleteAlias' | 'rollback',
    name: string,
    alias: string,
    version: number | null,
    o: AliasMoveOptions,
  ): Promise<AliasHistoryEntry> {
    const legacy = (await readAlias(this.ctx, name, alias, op))?.record.history ?? [];
    const actor = o.actor ?? this.actor;
    let forced = false;
    const plan: RolloutPlan = (cur) => {
      const from = cur ? (deploymentAlias(cur, alias) ?? null) : null;
      if (o.expect !== undefined && o.expect !== from) {
        throw new RegistryError(
          'CONFLICT',
          `${op}: alias "${alias}" of model "${name}" points to ${from ?? 'nothing'}, expected ${o.expect ?? 'nothing'}`,
          { operation: op, details: { name, alias, expected: o.expect, actual: from } },
        );
      }
      if (operation === 'setAlias') return planAliasSet(op, name, alias, version!)(cur);
      if (operation === 'rollback') {
        if (alias !== 'production') {
          throw new RegistryError(
            'INVALID_STATE',
            `${op}: model "${name}": roll the candidate back with rollbackCandidate`,
            {
              operation: op,
              details: { name, alias },
            },
          );
        }
        return planRevert(op, name, legacy)(cur);
      }
      if (alias === 'production') {
        throw new RegistryError('INVALID_STATE', `${op}: model "${name}": a rollout always has a production version`, {
          operation: op,
          details: { name, alias },
        });
      }
      return planRollback(op, name)(cur);
    };
    const cur = (await readRollout(this.ctx, name, op))?.record;
    const from = cur ? (deploymentAlias(cur, alias) ?? null) : null;
    if (operation === 'setAlias' && from === version && o.expect === undefined) {
      const h = deploymentAliasHistory(cur!, alias, legacy);
      if (h.length > 0) return h[h.length - 1]!;
    }
    forced = await authorize(
      this.ctx,
      op,
      { operation, name, alias, from, to: version, actor, ...(o.reason ? { reason: o.reason } : {}) },
      o.force === true,
    );
    const rec = await commitRollout(this.ctx, name, op, plan, {
      ...(o.actor ? { actor: o.actor } : {}),
      ...(o.reason ? { reason: o.reason } : {}),
    });
    const h = deploymentAliasHistory(rec, alias, legacy);
    const entry = { ...h[h.length - 1]!, ...(forced ? { forced: true } : {}) };
    this.emitSafely('aliasMoved', { name, alias, from, to: deploymentAlias(rec, alias) ?? null, entry });
    return entry;
  }

  private async readAlias(
    name: string,
    alias: string,
    op: string,
  ): Promise<{ record: AliasRecord; etag: string } | undefined> {
    this.assertOpen(op);
    return readAlias(this.ctx, validateName(name, 'name', op), validateName(alias, 'alias', op), op);
  }

  // ---- rollout --------------------------------------------------------------------------------

  /** The model's rollout record, or `undefined` when none was set. */
  async getRollout(name: string): Promise<RolloutRecord | undefined> {
    const op = 'registry.getRollout';
    this.assertOpen(op);
    name = validateName(name, 'name', op);
    return (await readRollout(this.ctx, name, op))?.record;
  }

  /**
   * Sets the model's rollout by compare-and-set on its `revision` (`expect`), after validating it
   * ({@link rolloutSchema}) and checking that its versions exist. Returns the stored record.
   * Routers follow this record only, not the aliases: to promote a version, move the
   * `production` alias first, then set the rollout (see {@link ModelRegistry.setAlias} for the
   * order and why). A write whose answer was lost and then retried is recognised by the record's
   * `changeId` and not applied twice.
   */
  async setRollout(name: string, rollout: Rollout, options: SetRolloutOptions = {}): Promise<RolloutRecord> {
    const op = 'registry.setRollout';
    this.assertOpen(op);
    name = validateName(name, 'name', op);
    const r = parseInput(rolloutSchema, rollout, op, 'rollout');
    const o = parseInput(setRolloutOptionsSchema, options, op, 'options');
    await this.getVersion(name, r.production);
    if (r.candidate !== undefined) await this.getVersion(name, r.candidate);
    return writeRollout(this.ctx, name, r, o);
  }

  // ---- deployment changes: each one compare-and-set write of the rollout record -----------------

  /**
   * Deploys `version` as production directly, with no candidate (the first deployment of a model,
   * or a manual override that ends a rollout in progress). One compare-and-set write of the rollout
   * record, which also holds the `production` and `candidate` aliases of a model that has one, so
   * no reader ever sees the alias and the served version disagree.
   *
   * @example
   * ```ts
   * await registry.deploy('iris', 1, { reason: 'first model' });
   * await registry.startRollout('iris', { candidate: 2 });   // ramp 5 → 10 → 20 → 50 %
   * await registry.rampRollout('iris');                       // 10 %
   * await registry.promoteCandidate('iris', { reason: 'composite +0.07' });
   * ```
   */
  async deploy(name: string, version: number, options: SetRolloutOptions = {}): Promise<RolloutRecord> {
    const op = 'registry.deploy';
    const { n, o } = this.deploymentArgs(name, options, op);
    version = validateVersion(version, 'version', op);
    await this.getVersion(n, version);
    return commitRollout(this.ctx, n, op, planDeploy(op, n, version), o);
  }

  /**
   * Starts a rollout of `input.candidate` against the current production (default: a ramp through
   * 5, 10, 20 and 50 %; or a fixed `split`, or `shadow`). Throws `INVALID_STATE` when the model has
   * no production yet or a rollout is already in progress. One compare-and-set write.
   */
  async startRollout(name: string, input: StartRolloutInput, options: SetRolloutOptions = {}): Promise<RolloutRecord> {
    const op = 'registry.startRollout';
    const { n, o } = this.deploymentArgs(name, options, op);
    const i = parseInput(startRolloutInputSchema, input, op, 'input');
    await this.getVersion(n, i.candidate);
    return commitRollout(this.ctx, n, op, planStart(op, n, i), o);
  }

  /** Moves a ramp to its next step (or to `step`); `INVALID_STATE` past the last one. One compare-and-set write. */
  async rampRollout(name: string, options: SetRolloutOptions & { step?: number } = {}): Promise<RolloutRecord> {
    const op = 'registry.rampRollout';
    const { step, ...rest } = options;
    const { n, o } = this.deploymentArgs(name, rest, op);
    if (step !== undefined && (!Number.isInteger(step) || step < 0)) {
      throw new ValidationError('INVALID_INPUT', `${op}: options.step: expected an integer ≥ 0, received ${step}`, {
        operation: op,
        details: { field: 'step' },
      });
    }
    return commitRollout(this.ctx, n, op, planRamp(op, n, step), o);
  }

  /** Promotes the candidate: production ← candidate, no candidate. `INVALID_STATE` without one. One compare-and-set write. */
  async promoteCandidate(name: string, options: SetRolloutOptions = {}): Promise<RolloutRecord> {
    const op = 'registry.promoteCandidate';
    const { n, o } = this.deploymentArgs(name, options, op);
    return commitRollout(this.ctx, n, op, planPromote(op, n), o);
  }

  /** Rolls the candidate back: production alone again. `INVALID_STATE` without a candidate. One compare-and-set write. */
  async rollbackCandidate(name: string, options: SetRolloutOptions = {}): Promise<RolloutRecord> {
    const op = 'registry.rollbackCandidate';
    const { n, o } = this.deploymentArgs(name, options, op);
    return commitRollout(this.ctx, n, op, planRollback(op, n), o);
  }

  /**
   * Writes the fence and/or the controller state without changing the deployment (no history
   * entry). A new leader calls it with its fence on every model it takes over, so that a deposed
   * leader's later writes fail with `FENCED`.
   */
  async updateRolloutState(name: string, options: SetRolloutOptions): Promise<RolloutRecord> {
    const op = 'registry.updateRolloutState';
    const { n, o } = this.deploymentArgs(name, options, op);
    return commitRollout(this.ctx, n, op, planKeep(op, n), o);
  }

  /** The deployment history of a model (every change of its rollout record, oldest first). */
  async deploymentHistory(name: string): Promise<DeploymentEntry[]> {
    return (await this.getRollout(name))?.history ?? [];
  }

  private deploymentArgs(name: string, options: SetRolloutOptions, op: string): { n: string; o: SetRolloutOptions } {
    this.assertOpen(op);
    return { n: validateName(name, 'name', op), o: parseInput(setRolloutOptionsSchema, options, op, 'options') };
  }

  /**
   * Watches a model's aliases and rollout by polling the store's etags every `intervalMs`
   * (default 1000). The first poll reports the current state; later polls report changes.
   */
  watch(name: string, options: WatchOptions = {}): RegistryWatcher {
    const op = 'registry.watch';
    this.assertOpen(op);
    name = validateName(name, 'name', op);
    const w = new RegistryWatcher(this.store, name, options, this.log, () => this.watchers.delete(w));
    this.watchers.add(w);
    return w;
  }

  // ---- datasets -------------------------------------------------------------------------------

  /**
   * Registers a dataset version (V1, V2…). When a version with the same fingerprint exists, it is
   * returned instead of creating a new one (concurrent callers with one fingerprint all get the
   * same, lowest, version; a race can leave an unused duplicate record behind).
   */
  async registerDataset(name: string, input: DatasetVersionInput): Promise<DatasetVersion> {
    this.assertOpen('registry.registerDataset');
    return registerDataset(this.ctx, name, input);
  }

  /** Every dataset name. */
  async listDatasets(): Promise<string[]> {
    this.assertOpen('registry.listDatasets');
    return listDatasets(this.ctx);
  }

  /** Every version of a dataset, oldest first. */
  async listDatasetVersions(name: string): Promise<DatasetVersion[]> {
    this.assertOpen('registry.listDatasetVersions');
    return listDatasetVersions(this.ctx, name);
  }

  /** One dataset version (a number, or a label like `'V2'`); throws `NOT_FOUND`. */
  async getDataset(name: string, version: number | string): Promise<DatasetVersion> {
    this.assertOpen('registry.getDataset');
    return getDataset(this.ctx, name, version);
  }
  /** Lineage downstream: every model version trained on this dataset version. */
  async modelsTrainedOn(dataset: string, version: number): Promise<ModelVersion[]> {
    const d = await this.getDataset(dataset, version);
    return this.searchVersions({ dataset: { name: d.name, version: d.version } });
  }

  /** Lineage upstream: the dataset version a model version was trained on, if recorded. */
  async datasetOf(name: string, ref: VersionRef): Promise<DatasetVersion | undefined> {
    const v = await this.getVersion(name, await this.resolveVersion(name, ref));
    return v.dataset ? this.getDataset(v.dataset.name, v.dataset.version) : undefined;
  }

  // ---- search ---------------------------------------------------------------------------------

  /** Versions matching a query (tags, metric thresholds, time range, dataset), across one model or all. */
  async searchVersions(query: VersionQuery = {}): Promise<ModelVersion[]> {
    const op = 'registry.searchVersions';
    this.assertOpen(op);
    query = parseInput(versionQuerySchema, query, op, 'query') as VersionQuery;
    const names =
      query.name !== undefined
        ? [validateName(query.name, 'query.name', 'registry.searchVersions')]
        : await this.listModels();
    const out: ModelVersion[] = [];
    for (const n of names) for (const v of await this.listVersions(n)) if (matchVersion(v, query)) out.push(v);
    return out;
  }

  /** Models whose tags match. */
  async searchModels(query: ModelQuery = {}): Promise<ModelRecord[]> {
    this.assertOpen('registry.searchModels');
    query = parseInput(modelQuerySchema, query, 'registry.searchModels', 'query');
    const out: ModelRecord[] = [];
    for (const n of await this.listModels()) {
      const m = await this.getModel(n);
      if (matchModel(m, query)) out.push(m);
    }
    return out;
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  /** Stops every watcher, drops caches and (unless `closeStore: false`) closes the store. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.watchers]) w.close();
    this.cache.clear();
    this.versionCache.clear();
    if (this.options.closeStore !== false) await this.store.close?.();
  }

  private assertOpen(op: string): void {
    if (this.closed) throw new RegistryError('CLOSED', `${op}: the registry is closed`, { operation: op });
  }
}

/**
 * Creates a registry over a store.
 *
 * @example
 * ```ts
 * const registry = createRegistry({ store: new MemoryStore(), actor: 'trainer' });
 * const v = await registry.register('iris', bytes, { metrics: { accuracy: 0.97 } });
 * await registry.setAlias('iris', 'production', v.version, { expect: null, force: true, reason: 'first' });
 * const { bytes: verified } = await registry.load('iris', 'production');
 * ```
 */
export function createRegistry<A = ModelArtifact>(options: RegistryOptions<A>): ModelRegistry<A> {
  return new ModelRegistry<A>({
    artifactCodec: modelArtifactCodec as unknown as NonNullable<RegistryOptions<A>['artifactCodec']>,
    ...options,
  });
}
