/**
 * JSON records in the registry's {@link Store} with compare-and-set: the one way every part of
 * the controller (state, leases, jobs, approvals, alerts, deliveries) reads and writes.
 */
import { RegistryError, isModelshipError, type Store } from '@modelship/core';

/** A record read with its etag. */
export interface Versioned<T> {
  /** The parsed value. */
  value: T;
  /** The etag to pass to {@link putJson} as `ifMatch`. */
  etag: string;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Reads and parses a JSON record; `undefined` when absent. A corrupt record throws `STORE_FAILURE` naming the key. */
export async function getJson<T>(store: Store, key: string): Promise<Versioned<T> | undefined> {
  const e = await store.get(key);
  if (!e) return undefined;
  try {
    return { value: JSON.parse(dec.decode(e.body)) as T, etag: e.etag };
  } catch (cause) {
    throw new RegistryError('STORE_FAILURE', `controller: record "${key}" is not valid JSON`, {
      operation: 'controller.read',
      details: { key },
      cause,
    });
  }
}

/**
 * Writes a JSON record: `ifMatch` (the etag read) replaces it only if unchanged, `create` only
 * if absent; neither overwrites. Throws `RegistryError('CONFLICT')` when the precondition fails.
 */
export async function putJson(
  store: Store,
  key: string,
  value: unknown,
  pre: { ifMatch: string } | { create: true } | { overwrite: true },
): Promise<string> {
  const body = enc.encode(JSON.stringify(value));
  if ('ifMatch' in pre) return store.put(key, body, { ifMatch: pre.ifMatch });
  if ('create' in pre) return store.put(key, body, { ifNoneMatch: '*' });
  return store.put(key, body);
}

/** True for a `RegistryError('CONFLICT')`. */
export function isConflict(err: unknown): boolean {
  return isModelshipError(err, 'RegistryError', 'CONFLICT');
}

/**
 * Read-modify-write with compare-and-set, retried on conflict: `update` gets the current value
 * (or `undefined`) and returns the next one, or `undefined` to write nothing. Resolves with the
 * value stored in the end (or the current one when nothing was written).
 */
export async function updateJson<T>(
  store: Store,
  key: string,
  update: (current: T | undefined) => T | undefined,
  maxAttempts = 50,
): Promise<T | undefined> {
  for (let attempt = 0; ; attempt++) {
    const cur = await getJson<T>(store, key);
    const next = update(cur?.value);
    if (next === undefined) return cur?.value;
    try {
      await putJson(store, key, next, cur ? { ifMatch: cur.etag } : { create: true });
      return next;
    } catch (err) {
      if (!isConflict(err) || attempt + 1 >= maxAttempts) throw err;
    }
  }
}

/** Store keys of the controller's records (all under `controller/`). */
export const controllerKeys = {
  /** The leader lease. */
  lease: () => 'controller/lease.json',
  /** A model's decision log entries (append-only, one key each, sorted by time). */
  decisionsPrefix: (model: string) => `controller/models/${model}/decisions/`,
  /** A model's evaluation baselines (outcome snapshots at the start of each rollout step), by revision. */
  baselinesPrefix: (model: string) => `controller/models/${model}/baselines/`,
  /** A model's approvals. */
  approvalsPrefix: (model: string) => `controller/models/${model}/approvals/`,
  /** A model's alerts. */
  alertsPrefix: (model: string) => `controller/models/${model}/alerts/`,
  /** Training jobs. */
  jobsPrefix: () => 'controller/jobs/',
  /** One job record. */
  job: (id: string) => `controller/jobs/${id}.json`,
  /** An idempotency key's claim (points at the job it created). */
  jobKey: (model: string, key: string) => `controller/job-keys/${model}/${key}.json`,
  /** Webhook deliveries (the delivery log). */
  deliveriesPrefix: () => 'controller/deliveries/',
} as const;
