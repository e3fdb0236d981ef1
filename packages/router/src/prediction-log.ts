import { silentLogger, type Logger } from '@modelship/core';
import { z } from 'zod';
import { RouterError } from './errors.js';
import { PredictionJournal, type PredictionJournalOptions } from './prediction-journal.js';

/** Why production answered a request assigned to another variant. */
export type FallbackReason = 'error' | 'timeout' | 'non_finite';

/** A prediction as the router records it (the request id may be signed on first read). */
export interface PredictionRecord {
  /** The signed request id (see `RequestIdCodec`). */
  readonly requestId: string;
  /** When the request started, in ms since the epoch. */
  readonly time: number;
  /** The model name. */
  readonly model: string;
  /** The variant that answered (for a shadow record: the shadow variant). */
  readonly variant: string;
  /** The model version that answered. */
  readonly modelVersion: number;
  /** Time spent in the model(s), in ms. */
  readonly latencyMs: number;
  /** The answer (`undefined` when a shadow call failed). */
  readonly prediction: unknown;
  /** The input, as given to `predict` (recorded by reference: do not mutate it afterwards). */
  readonly input: unknown;
  /** True for a mirrored call whose answer was recorded but not returned. */
  readonly shadow?: boolean;
  /** Set when another variant was assigned but failed and production answered. */
  readonly fallback?: {
    /** The assigned variant that failed. */
    readonly from: string;
    /** Its model version. */
    readonly fromVersion: number;
    /** Why it failed: `'error'`, `'timeout'` or `'non_finite'`. */
    readonly reason: FallbackReason;
  };
  /** The error message of a failed shadow call. */
  readonly error?: string;
}

/** The plain, JSON-ready form of a record, with the input redacted as configured. */
export interface LoggedPrediction {
  /** The signed request id. */
  requestId: string;
  /** When the request started, in ms since the epoch. */
  time: number;
  /** The model name. */
  model: string;
  /** The variant that answered (for a shadow record: the shadow variant). */
  variant: string;
  /** The model version that answered. */
  modelVersion: number;
  /** Time spent in the model(s), in ms. */
  latencyMs: number;
  /** The answer (`undefined` when a shadow call failed). */
  prediction: unknown;
  /** The input after redaction; absent when `redactInput` is `true`. */
  input?: unknown;
  /** True for a mirrored call whose answer was recorded but not returned. */
  shadow?: boolean;
  /** Set when another variant was assigned but failed and production answered. */
  fallback?: {
    /** The assigned variant that failed. */
    from: string;
    /** Its model version. */
    fromVersion: number;
    /** Why it failed: `'error'`, `'timeout'` or `'non_finite'`. */
    reason: FallbackReason;
  };
  /** The error message of a failed shadow call. */
  error?: string;
}

/** Where logged predictions go; `write` is called off the request path, with batches. */
export interface PredictionSink {
  /** Takes a batch of records (may be asynchronous; batches to one sink never overlap). */
  write(records: readonly LoggedPrediction[]): void | Promise<void>;
  /** Resolves when everything written so far is durable. */
  flush?(): Promise<void>;
  /** Flushes and releases resources. */
  close?(): Promise<void>;
}

/** How inputs are redacted: `true` drops them, a list replaces those fields, a function maps them. */
export type InputRedaction = boolean | readonly string[] | ((input: unknown) => unknown);

/** Options of {@link createPredictionLog}. */
export interface PredictionLogOptions {
  /** Records kept in memory for {@link PredictionLog.recent}; 0 keeps none. Default 10,000. */
  readonly capacity?: number;
  /** Sinks that receive every record in batches. Default none. */
  readonly sinks?: readonly PredictionSink[];
  /** Input redaction applied before a record leaves the log. Default `false` (inputs kept). */
  readonly redactInput?: InputRedaction;
  /** Records waiting for the sinks (queued or being written) beyond which new ones are dropped (and counted in `dropped`). Default 100,000. */
  readonly maxPending?: number;
  /** Pino-compatible logger for sink failures. Default silent. */
  readonly logger?: Logger;
  /**
   * A write-ahead journal in a local folder (needs a sink): every record is appended to it
   * synchronously before `record` returns, so a process killed right after answering loses no
   * logged prediction. Segments are deleted once every sink has flushed past them; a restart with
   * the same folder replays what is left into the sinks (idempotent sinks — the SQL sinks, keyed
   * by request id — store each row once; a JSON-lines sink would repeat them). Default none.
   */
  readonly journal?: PredictionJournalOptions;
}

const optionsSchema = z.object({
  capacity: z.number().int().nonnegative().optional(),
  sinks: z.array(z.object({ write: z.function() }, { error: 'a sink must have a write(records) method' })).optional(),
  redactInput: z.union([z.boolean(), z.array(z.string()), z.function()]).optional(),
  maxPending: z.number().int().positive().optional(),
  logger: z.any().optional(),
  journal: z.object({ dir: z.string().min(1), segmentMs: z.number().int().min(10).optional() }).optional(),
});

/**
 * A bounded in-memory ring of recent predictions plus batched, asynchronous delivery to sinks.
 * `record` is O(1) and never waits: sinks get batches from a `setImmediate` turn.
 */
export class PredictionLog {
  /** Records dropped because the sinks fell behind by more than `maxPending`. */
  dropped = 0;
  /** Records whose delivery to a sink failed. */
  failed = 0;
  /** Sink `flush` or `close` calls that failed (logged, never thrown). */
  sinkErrors = 0;
  /** Records replayed from a previous incarnation's journal into the sinks. */
  replayed = 0;
  readonly #journal: PredictionJournal | undefined;
  #leftovers: string[] = [];
  #housekeeping: Promise<void> | undefined;
  #journalTimer: NodeJS.Timeout | undefined;
  readonly #ring: (PredictionRecord | undefined)[];
  #at = 0;
  #size = 0;
  readonly #sinks: readonly PredictionSink[];
  readonly #busy: Promise<void>[];
  #pending: PredictionRecord[] = [];
  #inflight = 0;
  #scheduled = false;
  readonly #maxPending: number;
  readonly #redact: InputRedaction;
  readonly #logger: Logger;

  constructor(options: PredictionLogOptions = {}) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) {
      throw new RouterError('INVALID_OPTIONS', `invalid prediction log options: ${z.prettifyError(parsed.error)}`, {
        operation: 'createPredictionLog',
        cause: parsed.error,
      });
    }
    this.#ring = new Array(options.capacity ?? 10_000).fill(undefined);
    this.#sinks = [...(options.sinks ?? [])];
    this.#busy = this.#sinks.map(() => Promise.resolve());
    this.#maxPending = options.maxPending ?? 100_000;
    this.#redact = options.redactInput ?? false;
    this.#logger = options.logger ?? silentLogger;
    if (options.journal) {
      if (this.#sinks.length === 0) {
        throw new RouterError('INVALID_OPTIONS', 'invalid prediction log options: journal: needs at least one sink', {
          operation: 'createPredictionLog',
          details: { field: 'journal' },
        });
      }
      const journal = new PredictionJournal(options.journal);
      this.#journal = journal;
      this.#leftovers = [...journal.leftovers];
      setImmediate(() => void this.#housekeep());
      this.#journalTimer = setInterval(() => void this.#housekeep(), journal.segmentMs);
      this.#journalTimer.unref();
    }
  }

  /**
   * One journal round: replays a previous incarnation's segments (once), closes the current
   * segment, and deletes the closed ones once every sink has flushed past them. A sink that fails
   * keeps the segments for the next round (or the next start).
   */
  #housekeep(): Promise<void> {
    this.#housekeeping ??= this.#journalRound().finally(() => (this.#housekeeping = undefined));
    return this.#housekeeping;
  }

  async #journalRound(): Promise<void> {
    const journal = this.#journal!;
    try {
      if (this.#leftovers.length > 0) {
        const leftovers = this.#leftovers;
        let n = 0;
        for (const seg of leftovers) {
          const rows = PredictionJournal.read(seg) as LoggedPrediction[];
          for (let i = 0; i < rows.length; i += 1000) await this.#writeAll(rows.slice(i, i + 1000));
          n += rows.length;
        }
        await this.#flushAll();
        journal.delete(leftovers);
        this.#leftovers = [];
        this.replayed += n;
        if (n > 0) this.#logger.info({ rows: n, segments: leftovers.length }, 'prediction log: replayed the journal');
      }
      const segments = journal.rotate();
      if (segments.length === 0) return;
      const failed = this.failed;
      this.#dispatch();
      await Promise.all(this.#busy);
      await this.#flushAll();
      if (this.failed === failed) journal.delete(segments);
    } catch (err) {
      this.#logger.warn({ err }, 'prediction log: a sink did not flush; the journal keeps its segments');
    }
  }

  /** Writes a batch to every sink in order with their other batches; rejects when one fails. */
  async #writeAll(rows: readonly LoggedPrediction[]): Promise<void> {
    let error: unknown;
    const writes = this.#sinks.map(
      (sink, i) =>
        (this.#busy[i] = this.#busy[i]!.then(() => sink.write(rows)).catch((err: unknown) => {
          error ??= err;
        })),
    );
    await Promise.all(writes);
    if (error !== undefined) throw error;
  }

  async #flushAll(): Promise<void> {
    await Promise.all(this.#sinks.map((s) => s.flush?.()));
  }

  /** True when records go anywhere (a ring of capacity > 0, or a sink). */
  get enabled(): boolean {
    return this.#ring.length > 0 || this.#sinks.length > 0;
  }

  /** Records one prediction; O(1), never blocks, never throws. */
  record(rec: PredictionRecord): void {
    const cap = this.#ring.length;
    if (cap > 0) {
      this.#ring[this.#at] = rec;
      this.#at = this.#at + 1 === cap ? 0 : this.#at + 1;
      if (this.#size < cap) this.#size++;
    }
    if (this.#sinks.length > 0) {
      // Bounded by records waiting for dispatch plus those handed to sinks that have not finished writing.
      if (this.#pending.length + this.#inflight >= this.#maxPending) {
        this.dropped++; // O(1): the newest record is dropped, the batches already queued are kept
        return;
      }
      this.#pending.push(rec);
      if (this.#journal) {
        try {
          this.#journal.append(this.toLogged(rec));
        } catch (err) {
          this.#logger.error({ err }, 'prediction log: could not append to the journal');
        }
      }
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#dispatch());
      }
    }
  }

  /** The JSON-ready form of a record, with the input redacted. */
  toLogged(rec: PredictionRecord): LoggedPrediction {
    const out: LoggedPrediction = {
      requestId: rec.requestId,
      time: rec.time,
      model: rec.model,
      variant: rec.variant,
      modelVersion: rec.modelVersion,
      latencyMs: rec.latencyMs,
      prediction: rec.prediction,
    };
    const r = this.#redact;
    if (r === false) out.input = rec.input;
    else if (typeof r === 'function') out.input = r(rec.input);
    else if (Array.isArray(r) && typeof rec.input === 'object' && rec.input !== null) {
      const copy: Record<string, unknown> = { ...(rec.input as Record<string, unknown>) };
      for (const field of r) if (field in copy) copy[field] = '[redacted]';
      out.input = copy;
    }
    if (rec.shadow) out.shadow = true;
    if (rec.fallback) out.fallback = { ...rec.fallback };
    if (rec.error !== undefined) out.error = rec.error;
    return out;
  }

  /** The last `n` records (default all kept), oldest first, in JSON-ready form. */
  recent(n = this.#size): LoggedPrediction[] {
    const cap = this.#ring.length;
    const count = Math.min(n, this.#size);
    const out: LoggedPrediction[] = [];
    for (let i = count; i > 0; i--) {
      const rec = this.#ring[(this.#at - i + cap) % cap];
      if (rec) out.push(this.toLogged(rec));
    }
    return out;
  }

  #dispatch(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    let logged: LoggedPrediction[];
    try {
      logged = batch.map((r) => this.toLogged(r));
    } catch (err) {
      this.failed += batch.length;
      this.#logger.error({ err }, 'prediction log: could not prepare a batch (redactInput threw?)');
      return;
    }
    this.#inflight += batch.length;
    const writes = this.#sinks.map(
      (sink, i) =>
        (this.#busy[i] = this.#busy[i]!.then(() => sink.write(logged)).catch((err: unknown) => {
          this.failed += logged.length;
          this.#logger.error({ err }, 'prediction log: a sink failed to write a batch');
        })),
    );
    void Promise.all(writes).then(() => {
      this.#inflight -= batch.length;
    });
  }

  /** Delivers pending records and waits for every sink to flush (a sink's failure is logged and counted, never thrown). */
  async flush(): Promise<void> {
    this.#dispatch();
    await Promise.all(this.#busy);
    await Promise.all(this.#sinks.map((s) => this.#settle(() => s.flush?.(), 'flush')));
  }

  /** Flushes, then closes every sink; a sink that fails to flush or close is logged, never thrown. */
  async close(): Promise<void> {
    await this.flush();
    if (this.#journal) {
      clearInterval(this.#journalTimer);
      await this.#housekeeping;
      await this.#housekeep();
      this.#journal.release();
    }
    await Promise.all(this.#sinks.map((s) => this.#settle(() => s.close?.(), 'close')));
  }

  /** Runs a sink's flush or close, logging (not throwing) its failure. */
  async #settle(fn: () => void | Promise<void> | undefined, what: string): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.sinkErrors++;
      this.#logger.error({ err }, `prediction log: a sink failed to ${what}`);
    }
  }
}

/**
 * Creates a {@link PredictionLog}.
 *
 * @example
 * ```ts
 * const log = createPredictionLog({ capacity: 1000, sinks: [createJsonLinesSink({ path: 'predictions.jsonl' })], redactInput: ['email'] });
 * ```
 */
export function createPredictionLog(options: PredictionLogOptions = {}): PredictionLog {
  return new PredictionLog(options);
}
