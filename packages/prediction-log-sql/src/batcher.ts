import type { Logger } from '@modelship/core';
import { PredictionLogSqlError } from './errors.js';
import type { LoggedPredictionInput, SqlSinkStats } from './types.js';

/** Settings of a {@link Batcher}. */
export interface BatcherSettings {
  readonly maxBuffered: number;
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  readonly closeTimeoutMs: number;
  readonly logger: Logger;
  /** Writes one batch; resolves to the number of rows the database rejected as data (dropped). */
  readonly send: (batch: readonly LoggedPredictionInput[]) => Promise<number>;
  /** Yield to the event loop between two batches (for a synchronous driver). */
  readonly yieldBetweenBatches: boolean;
}

/**
 * The bounded buffer and background flusher shared by the SQL sinks. `push` is O(1) per row and
 * never waits or throws; batches are sent from timers, one at a time, retried with exponential
 * backoff while their rows stay buffered. When the buffer is full the newest rows are dropped
 * (and counted), so the rows already waiting keep their order.
 */
export class Batcher {
  #queue: LoggedPredictionInput[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerDue = 0;
  #running = false;
  #run_: Promise<void> = Promise.resolve();
  #closed = false;
  #backoff = 0;
  #waiters: Array<() => void> = [];
  readonly #s: BatcherSettings;
  readonly stats: SqlSinkStats = { buffered: 0, written: 0, dropped: 0, rejected: 0, failedFlushes: 0 };

  constructor(settings: BatcherSettings) {
    this.#s = settings;
  }

  get buffered(): number {
    return this.#queue.length - this.#head;
  }

  /** Buffers rows (O(1) each); schedules a flush. */
  push(rows: readonly LoggedPredictionInput[]): void {
    if (this.#closed) {
      this.stats.dropped += rows.length;
      return;
    }
    const room = this.#s.maxBuffered - this.buffered;
    const n = Math.min(room, rows.length);
    for (let i = 0; i < n; i++) this.#queue.push(rows[i]!);
    if (n < rows.length) this.stats.dropped += rows.length - n;
    if (this.#running) return;
    if (this.#backoff > 0) return; // a retry is scheduled
    this.#schedule(this.buffered >= this.#s.batchSize ? 0 : this.#s.flushIntervalMs);
  }

  /** (Re)arms the timer to fire within `delay` ms (never later than an already armed one). */
  #schedule(delay: number): void {
    const due = Date.now() + delay;
    if (this.#timer !== undefined) {
      if (this.#timerDue <= due) return;
      clearTimeout(this.#timer);
    }
    this.#timerDue = due;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#running) this.#run_ = this.#run();
    }, delay);
    this.#timer.unref();
  }

  async #run(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      while (this.buffered > 0) {
        const batch = this.#queue.slice(this.#head, this.#head + this.#s.batchSize);
        let rejected: number;
        try {
          rejected = await this.#s.send(batch);
        } catch (err) {
          this.stats.failedFlushes++;
          this.stats.lastError = err instanceof Error ? err.message : String(err);
          this.#backoff =
            this.#backoff === 0 ? this.#s.retryInitialMs : Math.min(this.#s.retryMaxMs, this.#backoff * 2);
          this.#s.logger.warn(
            { err, rows: batch.length, buffered: this.buffered, retryInMs: this.#backoff },
            'prediction log: writing a batch failed; retrying',
          );
          if (!this.#closed || this.#waiters.length > 0) this.#schedule(this.#backoff);
          return;
        }
        this.#backoff = 0;
        this.#commit(batch.length);
        this.stats.written += batch.length - rejected;
        this.stats.dropped += rejected;
        this.stats.rejected += rejected;
        if (this.buffered > 0 && this.#s.yieldBetweenBatches) await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.#running = false;
      if (this.buffered === 0) for (const w of this.#waiters.splice(0)) w();
    }
  }

  /** Forgets the first `n` buffered rows (amortised O(1)). */
  #commit(n: number): void {
    this.#head += n;
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Writes now; resolves when the buffer is empty, rejects with `FLUSH_TIMEOUT` after `timeoutMs`. */
  flush(timeoutMs: number, operation: string): Promise<void> {
    if (this.buffered === 0 && !this.#running) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(done);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(
          new PredictionLogSqlError(
            'FLUSH_TIMEOUT',
            `${operation}: ${this.buffered} rows still buffered after ${timeoutMs} ms (last error: ${this.stats.lastError ?? 'none'})`,
            { operation, details: { buffered: this.buffered, timeoutMs } },
          ),
        );
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiters.push(done);
      if (!this.#running) {
        this.#backoff = 0;
        this.#schedule(0);
      }
    });
  }

  /** Stops taking rows, flushes within `closeTimeoutMs`, and counts what is left as dropped. */
  async close(operation: string): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.flush(this.#s.closeTimeoutMs, operation);
    } catch (err) {
      this.#s.logger.error({ err }, 'prediction log: closing with rows that could not be written');
    }
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    // a batch still in flight (bounded by the driver's timeout) may yet land; the rest is given up
    await this.#run_;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.stats.dropped += this.buffered;
    this.#queue = [];
    this.#head = 0;
  }

  /** A copy of the counters. */
  snapshot(): SqlSinkStats {
    return { ...this.stats, buffered: this.buffered };
  }
}
