/**
 * The audit log of the management API: one immutable JSON record per mutating call (who, what,
 * when, the parameters and the result status), failed calls included, stored in the registry's
 * store under `audit/<yyyy-mm-dd>/<time>-<id>.json`, each key created once (`ifNoneMatch: '*'`).
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '@modelship/core';

/** One audited call. */
export interface AuditRecord {
  /** The record id. */
  id: string;
  /** When the call was answered (epoch ms). */
  at: number;
  /** Who called (the principal id), or `null` when the caller was not authenticated. */
  actor: string | null;
  /** The caller's role, or `null`. */
  role: string | null;
  /** The route id (e.g. `rollout.start`). */
  route: string;
  /** The HTTP method. */
  method: string;
  /** The request path. */
  path: string;
  /** The path parameters. */
  params: Record<string, string>;
  /** The query parameters. */
  query: Record<string, unknown>;
  /** The JSON body (bodies above 8 KiB are replaced by `{ truncated: true, bytes }`); absent when none was read. */
  body?: unknown;
  /** The response status. */
  status: number;
  /** The problem's `code`, when the call failed with one. */
  code?: string;
  /** The request id (`x-request-id`). */
  requestId: string;
  /** How long the call took, in ms. */
  durationMs: number;
}

/** A page of audit records, oldest first. */
export interface AuditPage {
  /** The records. */
  records: AuditRecord[];
  /** Pass as `after` for the next page; absent on the last page. */
  next?: string;
}

/** A query of {@link AuditLog.list}. */
export interface AuditQuery {
  /** Records at or after this time (epoch ms). */
  from?: number;
  /** Records at or before this time (epoch ms). */
  to?: number;
  /** Page size; default 100. */
  limit?: number;
  /** The cursor of the previous page (its `next`). */
  after?: string;
  /** Only records of this actor. */
  actor?: string;
}

const PREFIX = 'audit/';
const MAX_BODY = 8 * 1024;
const enc = new TextEncoder();
const dec = new TextDecoder();

function day(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

/** A body as stored: the value, or a marker when its JSON is above 8 KiB. */
export function auditBody(body: unknown): unknown {
  const json = JSON.stringify(body) ?? '';
  return json.length > MAX_BODY ? { truncated: true, bytes: json.length } : body;
}

/**
 * The audit log over a {@link Store} (the registry's). Records are written create-only, so a
 * record is never overwritten; keys sort by time, so listing is chronological.
 */
export class AuditLog {
  readonly #store: Store;
  readonly #clock: () => number;

  /** Use {@link createAuditLog}. */
  constructor(store: Store, clock: () => number = Date.now) {
    this.#store = store;
    this.#clock = clock;
  }

  /** Writes one record (its `id` and `at` filled in when absent); resolves with the stored record. */
  async append(record: Omit<AuditRecord, 'id' | 'at'> & { id?: string; at?: number }): Promise<AuditRecord> {
    const at = record.at ?? this.#clock();
    const id = record.id ?? randomUUID().replaceAll('-', '').slice(0, 16);
    const full: AuditRecord = { ...record, id, at };
    const key = `${PREFIX}${day(at)}/${String(at).padStart(15, '0')}-${id}.json`;
    await this.#store.put(key, enc.encode(JSON.stringify(full)), { ifNoneMatch: '*' });
    return full;
  }

  /** Records oldest first, filtered by time and actor, one page at a time. */
  async list(query: AuditQuery = {}): Promise<AuditPage> {
    const limit = query.limit ?? 100;
    let keys = await this.#store.list(PREFIX);
    if (query.from !== undefined) {
      const from = `${PREFIX}${day(query.from)}/${String(query.from).padStart(15, '0')}`;
      keys = keys.filter((k) => k >= from);
    }
    if (query.to !== undefined) {
      const to = `${PREFIX}${day(query.to)}/${String(query.to + 1).padStart(15, '0')}`;
      keys = keys.filter((k) => k < to);
    }
    if (query.after !== undefined) {
      const after = query.after;
      keys = keys.filter((k) => k > after);
    }
    const records: AuditRecord[] = [];
    let next: string | undefined;
    let last: string | undefined;
    for (const k of keys) {
      if (records.length >= limit) {
        next = last;
        break;
      }
      last = k;
      const e = await this.#store.get(k);
      if (!e) continue;
      const r = JSON.parse(dec.decode(e.body)) as AuditRecord;
      if (query.actor !== undefined && r.actor !== query.actor) continue;
      records.push(r);
    }
    return { records, ...(next !== undefined ? { next } : {}) };
  }
}

/**
 * Creates the audit log over a store (give the registry's: `registry.store`).
 *
 * @example
 * ```ts
 * const audit = createAuditLog({ store: registry.store });
 * const { records } = await audit.list({ from: Date.now() - 86_400_000 });
 * ```
 */
export function createAuditLog(options: { store: Store; clock?: () => number }): AuditLog {
  return new AuditLog(options.store, options.clock);
}
