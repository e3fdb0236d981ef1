/**
 * Outcomes shared by N serving replicas with no new infrastructure: each replica publishes the
 * cumulative snapshot of its outcome store to the registry's store every few seconds (one key
 * per replica incarnation), and the controller reads the merged aggregates of every snapshot.
 * Exact, because aggregates merge by sums; a replica that dies loses at most the outcomes since
 * its last publish (a shared store with atomic increments, such as Redis, loses nothing).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { RegistryError, isModelshipError } from '../errors.js';
import { childLogger, type Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import type { ExperimentAggregates } from './aggregates.js';
import { MemoryOutcomeStore } from './memory-outcome-store.js';
import {
  outcomeSnapshotSchema,
  type AggregatesQuery,
  type OutcomeSnapshot,
  type OutcomeStore,
} from './outcome-store.js';

/** The store prefix of the published snapshots. */
export const OUTCOME_SNAPSHOTS_PREFIX = 'outcomes/replicas/';

const SAFE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}$/;
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Options of {@link createOutcomePublisher}. */
export interface OutcomePublisherOptions {
  /** The registry's store (`registry.store`). */
  store: Store;
  /** The replica's outcome store (what its router records into). */
  outcomes: OutcomeStore;
  /**
   * This replica incarnation's id (a safe key segment); default `<hostname>-<pid>-<random>`. Give
   * every process start a new one: a restarted replica's store starts from zero, and the snapshot
   * of its previous incarnation must stay (its outcomes happened).
   */
  replica?: string;
  /** How often to publish (ms); default 5000. */
  intervalMs?: number;
  /** A pino-compatible logger; default silent. */
  logger?: Logger;
}

/** Publishes one replica's cumulative outcomes; see {@link createOutcomePublisher}. */
export interface OutcomePublisher {
  /** The replica id its snapshots are stored under. */
  readonly replica: string;
  /** Publishes now (also done every `intervalMs` once started). */
  publish(): Promise<void>;
  /** Starts publishing every `intervalMs`. */
  start(): this;
  /** Stops, after one last publish. */
  close(): Promise<void>;
}

/**
 * Publishes a replica's outcome snapshot to `outcomes/replicas/<replica>.json` in the registry's
 * store, every `intervalMs` and on `close()`. Read them all, merged, with {@link StoreOutcomeSource}.
 *
 * @example
 * ```ts
 * const outcomes = createMemoryOutcomeStore();
 * const publisher = createOutcomePublisher({ store: registry.store, outcomes }).start();
 * // … a router records into `outcomes` …
 * await publisher.close();
 * ```
 */
export function createOutcomePublisher(options: OutcomePublisherOptions): OutcomePublisher {
  const op = 'createOutcomePublisher';
  const replica =
    options.replica ??
    `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`.replace(/[^A-Za-z0-9._-]/g, '_');
  if (!SAFE.test(replica)) {
    throw new RegistryError(
      'INVALID_NAME',
      `${op}: replica: "${replica}" is not a safe key segment (letters, digits, . _ -)`,
      {
        operation: op,
        details: { field: 'replica' },
      },
    );
  }
  const intervalMs = options.intervalMs ?? 5000;
  if (!(Number.isInteger(intervalMs) && intervalMs > 0)) {
    throw new RegistryError('INVALID_NAME', `${op}: intervalMs: expected a positive integer, received ${intervalMs}`, {
      operation: op,
      details: { field: 'intervalMs' },
    });
  }
  const log = childLogger(options.logger, { component: 'outcome-publisher' });
  const key = `${OUTCOME_SNAPSHOTS_PREFIX}${replica}.json`;
  let timer: ReturnType<typeof setInterval> | undefined;
  let chain: Promise<void> = Promise.resolve();
  const publish = (): Promise<void> => {
    chain = chain.then(async () => {
      const snap = await options.outcomes.snapshot();
      await options.store.put(key, enc.encode(JSON.stringify(snap)));
    });
    return chain;
  };
  return {
    replica,
    publish,
    start() {
      timer ??= setInterval(() => {
        publish().catch((err: unknown) => log.warn({ err }, 'outcome snapshot publish failed'));
      }, intervalMs);
      timer.unref?.();
      return this;
    },
    async close() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await publish();
    },
  };
}

/**
 * The merged outcomes of every replica's published snapshot (see {@link createOutcomePublisher}),
 * as an outcome source for the controller (`aggregates(model, query)`). Unchanged snapshots are
 * not read again (etags).
 */
export class StoreOutcomeSource {
  readonly #store: Store;
  readonly #cache = new Map<string, { etag: string; snapshot: OutcomeSnapshot }>();

  /** Reads the snapshots in `store` (the registry's store). */
  constructor(store: Store) {
    this.#store = store;
  }

  /** Every replica's snapshot merged into one store (read fresh: new and changed snapshots). */
  async merged(): Promise<MemoryOutcomeStore> {
    const keys = await this.#store.list(OUTCOME_SNAPSHOTS_PREFIX);
    const out = new MemoryOutcomeStore();
    for (const k of keys) {
      const etag = await this.#store.head(k);
      if (etag === undefined) continue;
      let c = this.#cache.get(k);
      if (!c || c.etag !== etag) {
        const e = await this.#store.get(k);
        if (!e) continue;
        try {
          const parsed = outcomeSnapshotSchema.parse(JSON.parse(dec.decode(e.body)));
          c = { etag: e.etag, snapshot: parsed };
          this.#cache.set(k, c);
        } catch (cause) {
          if (isModelshipError(cause)) throw cause;
          throw new RegistryError(
            'STORE_FAILURE',
            `StoreOutcomeSource: snapshot "${k}" is not a valid outcome snapshot`,
            {
              operation: 'StoreOutcomeSource.merged',
              details: { key: k },
              cause,
            },
          );
        }
      }
      out.merge(c.snapshot);
    }
    return out;
  }

  /** The experiment aggregates of a model over every replica. */
  async aggregates(model: string, query?: AggregatesQuery): Promise<ExperimentAggregates> {
    return (await this.merged()).aggregates(model, query);
  }

  /** The replicas that have published, by key. */
  async replicas(): Promise<string[]> {
    return (await this.#store.list(OUTCOME_SNAPSHOTS_PREFIX)).map((k) =>
      k.slice(OUTCOME_SNAPSHOTS_PREFIX.length, -'.json'.length),
    );
  }
}
