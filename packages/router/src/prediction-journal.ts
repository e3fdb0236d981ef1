/**
 * The prediction log's write-ahead journal: every record appended synchronously, on the request
 * path, to a local file before the answer leaves the process, so that a replica killed with
 * SIGKILL loses none of the predictions it answered. Segments are deleted once every sink has
 * flushed past them; a restarted replica replays what its previous incarnation left.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { RouterError } from './errors.js';

/** Options of the prediction log's journal (`journal` of the router or of `createPredictionLog`). */
export interface PredictionJournalOptions {
  /**
   * A folder of this replica's own (on a local disk or a volume that survives the process). One
   * process at a time: a second one is refused while the first is alive (`journal.lock`).
   */
  readonly dir: string;
  /** How often the current segment is closed and older segments are checked for deletion (ms). Default 1000. */
  readonly segmentMs?: number;
}

const SEGMENT = /^\d{15}-\d+-\d+\.jsonl$/;

/** JSON replacer: typed arrays as arrays, bigints as strings (as the SQL sinks store them). */
function replacer(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return Array.from(value as unknown as ArrayLike<number>);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** True when a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A segmented append-only journal of JSON lines. `append` is one `writeSync` (the page cache keeps
 * it through a process crash; a machine crash may lose the last unsynced pages). Not exported from
 * the package: the prediction log owns it.
 */
export class PredictionJournal {
  readonly dir: string;
  readonly segmentMs: number;
  /** Segments left by a previous incarnation (to replay), oldest first. */
  readonly leftovers: readonly string[];
  #fd: number | undefined;
  #current: string | undefined;
  #currentCount = 0;
  #seq = 0;
  /** Closed segments of this incarnation, oldest first. */
  #closedSegments: string[] = [];
  #released = false;
  readonly #lock: string;

  constructor(options: PredictionJournalOptions) {
    if (typeof options?.dir !== 'string' || options.dir.length === 0) {
      throw new RouterError('INVALID_OPTIONS', 'journal.dir: expected a folder path', {
        operation: 'createPredictionLog',
        details: { field: 'journal.dir' },
      });
    }
    const segmentMs = options.segmentMs ?? 1000;
    if (!(Number.isInteger(segmentMs) && segmentMs >= 10)) {
      throw new RouterError('INVALID_OPTIONS', `journal.segmentMs: expected an integer ≥ 10, received ${segmentMs}`, {
        operation: 'createPredictionLog',
        details: { field: 'journal.segmentMs' },
      });
    }
    this.dir = options.dir;
    this.segmentMs = segmentMs;
    mkdirSync(this.dir, { recursive: true });
    this.#lock = join(this.dir, 'journal.lock');
    this.#takeLock();
    this.leftovers = readdirSync(this.dir)
      .filter((f) => SEGMENT.test(f))
      .sort()
      .map((f) => join(this.dir, f));
  }

  #takeLock(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(this.#lock, String(process.pid), { flag: 'wx' });
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = Number(readFileSync(this.#lock, 'utf8'));
        if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
          throw new RouterError(
            'INVALID_OPTIONS',
            `journal.dir: ${this.dir} is in use by process ${holder} (one replica per journal folder)`,
            { operation: 'createPredictionLog', details: { field: 'journal.dir', holder } },
          );
        }
        rmSync(this.#lock, { force: true }); // a dead incarnation's lock
      }
    }
  }

  /** Appends one record as a JSON line (synchronously). */
  append(record: unknown): void {
    if (this.#released) return;
    if (this.#fd === undefined) {
      this.#current = join(
        this.dir,
        `${String(Date.now()).padStart(15, '0')}-${process.pid}-${String(this.#seq++).padStart(6, '0')}.jsonl`,
      );
      this.#fd = openSync(this.#current, 'a');
      this.#currentCount = 0;
    }
    writeSync(this.#fd, `${JSON.stringify(record, replacer)}\n`);
    this.#currentCount++;
  }

  /** Closes the current segment (when it has records); returns every closed, undeleted segment. */
  rotate(): string[] {
    if (this.#fd !== undefined && this.#currentCount > 0) {
      closeSync(this.#fd);
      this.#closedSegments.push(this.#current!);
      this.#fd = undefined;
      this.#current = undefined;
    }
    return [...this.#closedSegments];
  }

  /** Deletes segments whose records every sink has made durable. */
  delete(segments: readonly string[]): void {
    const gone = new Set(segments);
    for (const s of segments) if (existsSync(s)) unlinkSync(s);
    this.#closedSegments = this.#closedSegments.filter((s) => !gone.has(s));
  }

  /** The records of a leftover segment (a torn last line of a killed writer is skipped). */
  static read(segment: string): unknown[] {
    const out: unknown[] = [];
    for (const line of readFileSync(segment, 'utf8').split('\n')) {
      if (line.length === 0) continue;
      try {
        out.push(JSON.parse(line));
      } catch {
        // the last line of a process killed mid-write
      }
    }
    return out;
  }

  /** Closes the current segment and releases the folder (segments not yet deleted stay for the next start). */
  release(): void {
    if (this.#released) return;
    this.rotate();
    this.#released = true;
    rmSync(this.#lock, { force: true });
  }
}
