/**
 * The delivery log: one record per (event, endpoint) delivery with every attempt, kept in the
 * registry's store (shared by every replica) or in memory.
 */
import type { Store } from '@modelship/core';
import { controllerKeys, getJson, putJson } from '../store-json.js';
import type { ControllerEventType } from '../types.js';

/** The state of a delivery. */
export type DeliveryState = 'pending' | 'delivered' | 'failed';

/** One HTTP attempt of a delivery. */
export interface DeliveryAttempt {
  /** When it was sent (epoch ms). */
  at: number;
  /** The response status, when a response came. */
  status?: number;
  /** Why it failed (network error, timeout, or `HTTP <status>` with the start of the body). */
  error?: string;
  /** How long it took, in ms (until the response body was read, or the failure). */
  durationMs: number;
}

/** One delivery of one event to one endpoint. */
export interface DeliveryRecord {
  /** The delivery id (sortable by creation time). */
  id: string;
  /** The event delivered (the `webhook-id`). */
  eventId: string;
  /** The endpoint, redacted (no credentials, query or Slack token). */
  endpoint: string;
  /** The event type. */
  type: ControllerEventType;
  /** When the delivery was created (epoch ms). */
  createdAt: number;
  /** Every attempt so far, oldest first. */
  attempts: DeliveryAttempt[];
  /** `'pending'` until an attempt succeeds (`'delivered'`) or the notifier gives up (`'failed'`). */
  state: DeliveryState;
  /** When the next attempt is due (epoch ms), while waiting for a retry. */
  nextAttemptAt?: number;
  /** Why the delivery failed, when it did (the last attempt's error, or the notifier closing). */
  error?: string;
}

/** A query of `WebhookNotifier.deliveries`. */
export interface DeliveryQuery {
  /** Only the deliveries of this event. */
  eventId?: string;
  /** Only deliveries in this state. */
  state?: DeliveryState;
  /** At most this many (default 100). */
  limit?: number;
}

/** Where delivery records are written and read. */
export interface DeliveryLog {
  /** Writes (creates or replaces) a record. */
  put(record: DeliveryRecord): Promise<void>;
  /** Records matching the query, newest first. */
  query(query: DeliveryQuery): Promise<DeliveryRecord[]>;
}

function matches(r: DeliveryRecord, q: DeliveryQuery): boolean {
  return (q.eventId === undefined || r.eventId === q.eventId) && (q.state === undefined || r.state === q.state);
}

function copy(r: DeliveryRecord): DeliveryRecord {
  return structuredClone(r);
}

/** The in-memory log: at most `size` records; past that the oldest finished record (else the oldest) is dropped. */
export class MemoryDeliveryLog implements DeliveryLog {
  private readonly records = new Map<string, DeliveryRecord>();

  constructor(private readonly size: number) {}

  /** Writes a record (a copy). */
  async put(record: DeliveryRecord): Promise<void> {
    this.records.set(record.id, copy(record)); // an update keeps the record's place (creation order)
    while (this.records.size > this.size) {
      let victim: string | undefined;
      for (const [id, r] of this.records) {
        if (r.state !== 'pending') {
          victim = id;
          break;
        }
      }
      victim ??= this.records.keys().next().value;
      if (victim === undefined) break;
      this.records.delete(victim);
    }
  }

  /** Records matching the query, newest first (copies). */
  async query(q: DeliveryQuery): Promise<DeliveryRecord[]> {
    const limit = q.limit ?? 100;
    const all = [...this.records.values()].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    const out: DeliveryRecord[] = [];
    for (const r of all) {
      if (out.length >= limit) break;
      if (matches(r, q)) out.push(copy(r));
    }
    return out;
  }
}

/** The store-backed log: `controller/deliveries/<id>.json`, one JSON record per delivery. */
export class StoreDeliveryLog implements DeliveryLog {
  private readonly written = new Set<string>();

  constructor(private readonly store: Store) {}

  /** The key of a delivery's record. */
  static key(id: string): string {
    return `${controllerKeys.deliveriesPrefix()}${id}.json`;
  }

  /** Writes a record: created on its first write, replaced after (only its own delivery writes it). */
  async put(record: DeliveryRecord): Promise<void> {
    const key = StoreDeliveryLog.key(record.id);
    const first = !this.written.has(record.id);
    await putJson(this.store, key, record, first ? { create: true } : { overwrite: true });
    if (first) this.written.add(record.id);
    if (record.state !== 'pending') this.written.delete(record.id);
  }

  /** Records matching the query, newest first, read from the store (so another replica's deliveries are seen too). */
  async query(q: DeliveryQuery): Promise<DeliveryRecord[]> {
    const limit = q.limit ?? 100;
    const prefix = controllerKeys.deliveriesPrefix();
    const keys = (await this.store.list(prefix)).filter((k) => k.endsWith('.json')).reverse();
    const out: DeliveryRecord[] = [];
    for (const key of keys) {
      if (out.length >= limit) break;
      const rec = await getJson<DeliveryRecord>(this.store, key);
      if (rec && matches(rec.value, q)) out.push(rec.value);
    }
    return out;
  }
}
