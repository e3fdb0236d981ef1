/**
 * The streaming windows of the drift monitor: count windows (tumbling, or sliding with a step)
 * and tumbling time windows by an injected clock. A {@link StreamWindow} keeps the bookkeeping
 * (rows, start, windows closed) and says when a window closes; the per-feature contents live in
 * the accumulators, which keep a ring of values (count windows) or a reservoir sample (time windows).
 */
import { z } from 'zod';
import type { WindowInfo } from './report.js';

/** A count window: closes every `size` rows (tumbling) or re-evaluates the last `size` rows every `step` rows (sliding). */
export interface CountWindow {
  /** Selects a count window. */
  kind: 'count';
  /** Rows per window (default 1000). */
  size?: number;
  /** 'tumbling' (default) or 'sliding'. */
  mode?: 'tumbling' | 'sliding';
  /** Sliding only: rows between evaluations (default size / 10). */
  step?: number;
}

/** A tumbling time window of `ms` milliseconds by the injected clock. */
export interface TimeWindow {
  /** Selects a time window. */
  kind: 'time';
  /** Window length in milliseconds. */
  ms: number;
  /** Values kept per numeric feature for KS and Wasserstein, as a uniform reservoir sample (default 10,000); KS p-values use the sample's size. */
  maxSample?: number;
}

/** The zod schema of a window option, with its defaults. */
export const windowSchema = z.union([
  z.object({
    kind: z.literal('count'),
    size: z.number().int().min(1).max(10_000_000).default(1000),
    mode: z.enum(['tumbling', 'sliding']).default('tumbling'),
    step: z.number().int().min(1).optional(),
  }),
  z.object({ kind: z.literal('time'), ms: z.number().positive(), maxSample: z.number().int().min(10).default(10_000) }),
]);

/** A window option with its defaults resolved. */
export type ResolvedWindow = z.infer<typeof windowSchema>;

/** How an accumulator keeps values: a ring of `capacity` values, or a reservoir of `capacity` values. */
export interface StorageOptions {
  mode: 'ring' | 'reservoir';
  capacity: number;
  random: () => number;
}

/** The value storage a window needs: a ring of the last `size` values, or a reservoir of `maxSample` values. */
export function storageFor(window: ResolvedWindow, random: () => number): StorageOptions {
  return window.kind === 'count'
    ? { mode: 'ring', capacity: window.size, random }
    : { mode: 'reservoir', capacity: window.maxSample, random };
}

/** The bookkeeping of one stream's window: when it closes, what its report says about it. */
export class StreamWindow {
  /** Rows in the window (sliding: rows since the stream started; its reports cap them at `size`). */
  rows = 0;
  /** Windows closed so far. */
  index = 0;
  private sinceEval = 0;
  private start: number;
  /** Whether closing keeps the contents (a sliding count window) rather than emptying them. */
  readonly slides: boolean;
  private readonly step: number;

  constructor(
    /** The window option, defaults resolved. */
    readonly spec: ResolvedWindow,
    private readonly clock: () => number,
  ) {
    this.start = clock();
    this.slides = spec.kind === 'count' && spec.mode === 'sliding';
    this.step = spec.kind === 'count' ? (spec.step ?? Math.max(1, Math.floor(spec.size / 10))) : 0;
  }

  /**
   * Time windows: when the clock has passed the window's end, calls `close(end)` (if the window
   * has rows) and moves the start to the window that holds now.
   */
  tick(close: (end: number) => void): void {
    const w = this.spec;
    if (w.kind !== 'time') return;
    const now = this.clock();
    if (now < this.start + w.ms) return;
    if (this.rows > 0) close(this.start + w.ms);
    this.start += Math.floor((now - this.start) / w.ms) * w.ms;
  }

  /** Counts one row; true when a count window is due to close. */
  added(): boolean {
    this.rows++;
    this.sinceEval++;
    const w = this.spec;
    if (w.kind !== 'count' || this.rows < w.size) return false;
    return w.mode === 'tumbling' || this.sinceEval >= this.step;
  }

  /** The report's facts about the window, ending at `end` (default now). */
  info(end?: number): WindowInfo {
    const w = this.spec;
    const rows = w.kind === 'count' && w.mode === 'sliding' ? Math.min(this.rows, w.size) : this.rows;
    const info: WindowInfo =
      w.kind === 'count'
        ? { kind: 'count', mode: w.mode, size: w.size, rows, index: this.index }
        : { kind: 'time', ms: w.ms, rows, index: this.index };
    info.start = new Date(this.start).toISOString();
    info.end = new Date(end ?? this.clock()).toISOString();
    return info;
  }

  /**
   * Records that the window closed at `end` (default now); true when its contents must be emptied
   * (every window but a sliding one). A time window closed by {@link tick} keeps its grid start.
   */
  closed(end?: number): boolean {
    this.index++;
    this.sinceEval = 0;
    if (this.slides) return false;
    this.rows = 0;
    if (end === undefined) this.start = this.clock();
    return true;
  }
}
