import { ValidationError } from '../errors.js';
import { decodeJson } from './bytes.js';
import { SafeEmitter } from '../events/safe-emitter.js';
import type { Logger } from '../logger.js';
import type { AliasMovedEvent, RolloutChangedEvent } from './events.js';
import { registryKeys as K } from './keys.js';
import type { AliasRecord } from './records.js';
import type { RolloutRecord } from '../rollout/rollout.js';
import { DEPLOYMENT_ALIASES, deploymentAlias } from '../rollout/deployment.js';
import type { Store } from '../store/store.js';

/** Options of `registry.watch`. */
export interface WatchOptions {
  /** How often to poll the store, in milliseconds; default 1000 (minimum 5). */
  intervalMs?: number;
}

/** Events of a {@link RegistryWatcher}. */
export interface WatcherEvents {
  /** An alias was set, moved or deleted (the first poll reports every alias that is set). */
  aliasMoved: (event: AliasMovedEvent) => void;
  /** The rollout changed (the first poll reports the current rollout, if any). */
  rolloutChanged: (event: RolloutChangedEvent) => void;
  /** A poll failed (the watcher keeps polling). */
  error: (err: unknown) => void;
}

/**
 * Follows one model's aliases and rollout by polling etags (a `head` per key, a `get` only when
 * the etag changed). Emits `aliasMoved` and `rolloutChanged`; `close()` stops it.
 */
export class RegistryWatcher extends SafeEmitter<WatcherEvents> {
  /** Resolves after the first poll (whose events have then been emitted). */
  readonly ready: Promise<void>;
  private readonly etags = new Map<string, string>();
  private readonly aliases = new Map<string, number | null>();
  private rollout: RolloutRecord | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly intervalMs: number;

  /** Use `registry.watch(name)`. */
  constructor(
    private readonly store: Store,
    /** The watched model. */
    readonly name: string,
    options: WatchOptions,
    private readonly log: Logger,
    private readonly onClose: () => void,
  ) {
    super(log);
    const iv = options.intervalMs ?? 1000;
    if (!Number.isFinite(iv) || iv < 5) {
      throw new ValidationError(
        'INVALID_OPTIONS',
        `registry.watch: intervalMs: expected a number >= 5, received ${String(iv)}`,
        { operation: 'registry.watch' },
      );
    }
    this.intervalMs = iv;
    this.ready = this.tick();
  }

  /** The rollout as last seen. */
  get currentRollout(): RolloutRecord | undefined {
    return this.rollout;
  }

  /** The aliases as last seen (alias → version). */
  get currentAliases(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [a, v] of this.aliases) if (v !== null) out[a] = v;
    return out;
  }

  /** Polls once now (also done every `intervalMs`). */
  async poll(): Promise<void> {
    const rk = K.rollout(this.name);
    const tag = await this.store.head(rk);
    if (tag !== undefined && tag !== this.etags.get(rk)) {
      const e = await this.store.get(rk);
      if (e) {
        this.etags.set(rk, e.etag);
        const rollout = decodeJson<RolloutRecord>(e.body, rk, 'registry.watch');
        const previous = this.rollout;
        this.rollout = rollout;
        if (!previous || previous.revision !== rollout.revision) {
          this.emitSafely('rolloutChanged', { name: this.name, rollout, ...(previous ? { previous } : {}) });
        }
      }
    }
    for (const key of await this.store.list(K.aliasesPrefix(this.name))) {
      if (this.closed) return;
      const t = await this.store.head(key);
      if (t === undefined || t === this.etags.get(key)) continue;
      const e = await this.store.get(key);
      if (!e) continue;
      this.etags.set(key, e.etag);
      const rec = decodeJson<AliasRecord>(e.body, key, 'registry.watch');
      if (this.rollout && DEPLOYMENT_ALIASES.has(rec.alias)) continue; // a view of the rollout record now
      const from = this.aliases.get(rec.alias) ?? null;
      this.aliases.set(rec.alias, rec.version);
      if (from === rec.version) continue;
      const entry = rec.history[rec.history.length - 1];
      this.emitSafely('aliasMoved', {
        name: this.name,
        alias: rec.alias,
        from,
        to: rec.version,
        ...(entry ? { entry } : {}),
      });
    }
    if (this.rollout) {
      for (const alias of DEPLOYMENT_ALIASES) {
        const to = deploymentAlias(this.rollout, alias) ?? null;
        const from = this.aliases.get(alias) ?? null;
        if (to === from) continue;
        this.aliases.set(alias, to);
        this.emitSafely('aliasMoved', { name: this.name, alias, from, to });
      }
    }
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    try {
      await this.poll();
    } catch (err) {
      this.log.warn({ err, name: this.name }, 'registry watch poll failed');
      this.emitSafely('error', err); // no listener: no event (eventemitter3 never throws on 'error')
    }
    if (!this.closed) {
      this.timer = setTimeout(() => void this.tick(), this.intervalMs);
      this.timer.unref?.();
    }
  }

  /** Stops polling. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.onClose();
    this.removeAllListeners();
  }
}
