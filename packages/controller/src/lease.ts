/**
 * One active controller among replicas: a lease record in the registry's store, acquired with
 * if-none-match, renewed with if-match every check period (a fifth of the lease at most), taken
 * over only after it has stayed unchanged for the lease duration less one check period by the
 * observer's own clock (clocks of different machines are never compared), with a fencing epoch
 * that increases on every change of holder. The holder counts itself leader for 70 % of the lease
 * after each renewal, so it steps down before anyone may take over.
 */
import type { Store } from '@modelship/core';
import type { Clock } from './types.js';
import { controllerKeys, getJson, isConflict, putJson } from './store-json.js';

/** The stored lease. */
export interface LeaseRecord {
  /** The controller id holding it. */
  holder: string;
  /** The fencing epoch: +1 on every change of holder. */
  epoch: number;
  /** How long the lease lasts after each renewal (ms). */
  durationMs: number;
  /** When the holder last renewed it, by the holder's clock (informational: observers never compare it with theirs). */
  renewedAt: number;
  /** Renewals so far under this epoch (changes the record, so observers see it is alive). */
  renewals: number;
}

/** What {@link Lease.tryAcquire} concluded. */
export interface LeaseState {
  /** True when this controller holds the lease now. */
  leader: boolean;
  /** The epoch held (when leader) or seen. */
  epoch: number;
  /** The current holder. */
  holder: string;
  /** True when this call acquired it (it was not held by us before). */
  acquired: boolean;
}

/**
 * What the controller needs of a lease (`createController({ lease })`): the registry
 * {@link Lease} by default, or another implementation with the same guarantees (a fencing epoch
 * that increases on every change of holder, leadership that ends before anyone may take over),
 * such as the Redis lease of `@modelship/outcomes-redis`.
 */
export interface ControllerLease {
  /** The controller id that holds (or wants) the lease; the controller's `id`. */
  readonly id: string;
  /** How often the controller renews or observes the lease (ms). */
  readonly checkMs: number;
  /** Acquires, renews or observes the lease. */
  tryAcquire(): Promise<LeaseState>;
  /** The epoch held, if leader and not expired by the holder's own clock. */
  heldEpoch(): number | undefined;
  /** Forgets leadership (after a FENCED write or a failed renewal). */
  drop(): void;
  /** Releases the lease if held (a clean shutdown hands over at once). */
  release(): Promise<void>;
}

/** A lease on one key for one controller id. */
export class Lease implements ControllerLease {
  #seen: { etag: string; since: number } | undefined;
  #held: { epoch: number; etag: string; until: number } | undefined;

  /**
   * A lease on `key` in `store` for the controller `id`, lasting `durationMs` after each renewal,
   * on `clock`, checked every `checkMs`.
   */
  constructor(
    private readonly store: Store,
    /** The controller id that holds (or wants) the lease. */
    readonly id: string,
    /** How long the lease lasts after each renewal (ms). */
    readonly durationMs: number,
    private readonly clock: Clock,
    private readonly key: string = controllerKeys.lease(),
    /** How often the lease is checked (renewed or observed); a take-over waits `durationMs − checkMs`. */
    readonly checkMs: number = Math.floor(durationMs / 5),
  ) {}

  /** The epoch held, if leader and not expired by our own clock. */
  heldEpoch(): number | undefined {
    const h = this.#held;
    return h && this.clock() < h.until ? h.epoch : undefined;
  }

  /** Forgets leadership (after a FENCED write or a failed renewal). */
  drop(): void {
    this.#held = undefined;
  }

  /**
   * Acquires, renews or observes the lease. Renews when we hold it; creates it when absent;
   * takes it over when the record has not changed for a whole `durationMs` since we first saw it
   * (by our own clock); otherwise reports the holder.
   */
  async tryAcquire(): Promise<LeaseState> {
    const now = this.clock();
    const cur = await getJson<LeaseRecord>(this.store, this.key);
    if (!cur) {
      const rec: LeaseRecord = { holder: this.id, epoch: 1, durationMs: this.durationMs, renewedAt: now, renewals: 0 };
      return this.#write(rec, { create: true }, now, true);
    }
    const v = cur.value;
    if (v.holder === this.id && this.#held && this.#held.etag === cur.etag) {
      const rec: LeaseRecord = { ...v, durationMs: this.durationMs, renewedAt: now, renewals: v.renewals + 1 };
      return this.#write(rec, { ifMatch: cur.etag }, now, false);
    }
    if (!this.#seen || this.#seen.etag !== cur.etag) this.#seen = { etag: cur.etag, since: now };
    // unchanged for (duration − one check period) since we first saw it: with checks every period,
    // the take-over lands within duration + one period of the holder's last renewal
    const expired = now - this.#seen.since >= Math.max(v.durationMs, this.durationMs) - this.checkMs;
    if (expired || (v.holder === this.id && !this.#held)) {
      // a stale lease, or our own from a previous run: take it over under a new epoch
      const rec: LeaseRecord = {
        holder: this.id,
        epoch: v.epoch + 1,
        durationMs: this.durationMs,
        renewedAt: now,
        renewals: 0,
      };
      return this.#write(rec, { ifMatch: cur.etag }, now, true);
    }
    this.#held = undefined;
    return { leader: false, epoch: v.epoch, holder: v.holder, acquired: false };
  }

  /** Releases the lease if we hold it (a clean shutdown hands over at once). */
  async release(): Promise<void> {
    const h = this.#held;
    this.#held = undefined;
    if (!h) return;
    try {
      await this.store.delete(this.key, { ifMatch: h.etag });
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
  }

  async #write(
    rec: LeaseRecord,
    pre: { create: true } | { ifMatch: string },
    now: number,
    acquiring: boolean,
  ): Promise<LeaseState> {
    try {
      const etag = await putJson(this.store, this.key, rec, pre);
      // leadership ends before anyone may take over (duration − one check period ≥ 0.8 duration after
      // our renewal): a margin for the write's latency and for clocks that run at different rates
      this.#held = { epoch: rec.epoch, etag, until: now + Math.floor(this.durationMs * 0.7) };
      this.#seen = undefined;
      return { leader: true, epoch: rec.epoch, holder: rec.holder, acquired: acquiring };
    } catch (err) {
      if (!isConflict(err)) throw err;
      this.#held = undefined;
      const now2 = await getJson<LeaseRecord>(this.store, this.key);
      return {
        leader: false,
        epoch: now2?.value.epoch ?? rec.epoch,
        holder: now2?.value.holder ?? '?',
        acquired: false,
      };
    }
  }
}
