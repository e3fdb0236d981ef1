/**
 * The streaming drift monitor: observes rows, predictions and errors one at a time, keeps a
 * count (tumbling or sliding) or time window per feature in constant memory, and closes windows
 * into drift reports with `driftDetected` / `driftCleared` events.
 */
import { EventEmitter } from 'eventemitter3';
import { z } from 'zod';
import { createAccumulator, type Accumulator, type StorageOptions } from './accumulators.js';
import { Adwin, type AdwinOptions } from './concept/adwin.js';
import { PageHinkley, type PageHinkleyOptions } from './concept/page-hinkley.js';
import { DriftError } from './errors.js';
import type { FeatureSnapshot } from './feature-tests.js';
import { evaluationOptionsSchema } from './options.js';
import { parseProfile, type ReferenceProfile } from './profile.js';
import { buildReport, type DriftReport, type EvaluationOptions, type WindowInfo } from './report.js';

/** A count window: closes every `size` rows (tumbling) or re-evaluates the last `size` rows every `step` rows (sliding). */
export interface CountWindow {
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
  kind: 'time';
  /** Window length in milliseconds. */
  ms: number;
  /** Values kept per numeric feature for KS and Wasserstein, as a uniform reservoir sample (default 10,000). */
  maxSample?: number;
}

/** A pino-compatible logger (only `error` and `warn` are used). */
export interface DriftLogger {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  child?(bindings: object): DriftLogger;
}

/** Options of {@link createDriftMonitor}. */
export interface DriftMonitorOptions extends EvaluationOptions {
  /** The reference profile (parsed and validated; an artifact's `profile` field is accepted). */
  profile: ReferenceProfile | unknown;
  /** The window (default `{ kind: 'count', size: 1000, mode: 'tumbling' }`). */
  window?: CountWindow | TimeWindow;
  /** Milliseconds since the epoch (default `Date.now`). */
  clock?: () => number;
  /** Uniform random numbers in [0, 1) for reservoir sampling (default `Math.random`). */
  random?: () => number;
  /** A pino-compatible logger (default silent). */
  logger?: DriftLogger;
  /** Concept-drift detectors on the error stream (defaults: River's). */
  concept?: { pageHinkley?: PageHinkleyOptions; adwin?: AdwinOptions };
}

/** The monitor's events. */
export interface DriftMonitorEvents {
  /** A window closed (every window). */
  windowClosed: (report: DriftReport) => void;
  /** A window closed with verdict 'drift'. */
  driftDetected: (report: DriftReport) => void;
  /** A window closed with verdict 'no-drift' after a window with verdict 'drift'. */
  driftCleared: (report: DriftReport) => void;
  /** Page–Hinkley or ADWIN signalled a change on the error stream. */
  conceptDriftDetected: (event: { detector: 'page-hinkley' | 'adwin'; errors: number; at: string }) => void;
}

const windowSchema = z.union([
  z.object({
    kind: z.literal('count'),
    size: z.number().int().min(1).max(10_000_000).default(1000),
    mode: z.enum(['tumbling', 'sliding']).default('tumbling'),
    step: z.number().int().min(1).optional(),
  }),
  z.object({ kind: z.literal('time'), ms: z.number().positive(), maxSample: z.number().int().min(10).default(10_000) }),
]);

const silent: DriftLogger = { error() {}, warn() {} };

/** Watches a live stream for drift against a reference profile. Create with {@link createDriftMonitor}. */
export class DriftMonitor {
  private readonly emitter = new EventEmitter();
  private readonly profile: ReferenceProfile;
  private readonly window: z.infer<typeof windowSchema>;
  private readonly accs = new Map<string, Accumulator>();
  private readonly prediction: Accumulator | undefined;
  private readonly clock: () => number;
  private readonly logger: DriftLogger;
  private readonly options: EvaluationOptions;
  private readonly ph: PageHinkley;
  private readonly adwin: Adwin;
  private readonly ignored = new Set<string>();
  private rows = 0;
  private sinceEval = 0;
  private index = 0;
  private start: number;
  private errors = 0;
  private phDetections = 0;
  private lastVerdict: DriftReport['summary']['verdict'] | undefined;
  /** The report of the last closed window. */
  lastReport: DriftReport | undefined;

  constructor(options: DriftMonitorOptions) {
    const ev = evaluationOptionsSchema.safeParse(options);
    const win = windowSchema.safeParse(options.window ?? { kind: 'count' });
    if (!ev.success || !win.success) {
      const err = !ev.success ? ev.error : (win as { error: z.ZodError }).error;
      throw new DriftError('INVALID_OPTIONS', `createDriftMonitor: invalid options\n${z.prettifyError(err)}`, {
        operation: 'createDriftMonitor',
      });
    }
    this.profile = parseProfile(options.profile);
    this.window = win.data;
    this.options = options;
    this.clock = options.clock ?? Date.now;
    this.logger = options.logger?.child?.({ component: 'drift-monitor' }) ?? options.logger ?? silent;
    const random = options.random ?? Math.random;
    const storage: StorageOptions =
      this.window.kind === 'count'
        ? { mode: 'ring', capacity: this.window.size, random }
        : { mode: 'reservoir', capacity: this.window.maxSample, random };
    for (const [name, fp] of Object.entries(this.profile.features)) this.accs.set(name, createAccumulator(fp, storage));
    this.prediction = this.profile.prediction ? createAccumulator(this.profile.prediction, storage) : undefined;
    this.ph = new PageHinkley(options.concept?.pageHinkley);
    this.adwin = new Adwin(options.concept?.adwin);
    this.start = this.clock();
  }

  /** Subscribes to an event. */
  on<E extends keyof DriftMonitorEvents>(event: E, listener: DriftMonitorEvents[E]): this {
    this.emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Unsubscribes from an event. */
  off<E extends keyof DriftMonitorEvents>(event: E, listener: DriftMonitorEvents[E]): this {
    this.emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  private emit<E extends keyof DriftMonitorEvents>(event: E, payload: Parameters<DriftMonitorEvents[E]>[0]): void {
    for (const fn of this.emitter.listeners(event)) {
      try {
        (fn as (p: unknown) => void)(payload);
      } catch (err) {
        this.logger.error({ err, event }, 'drift monitor listener threw');
      }
    }
  }

  /** Rotates a time window when the clock has passed its end (also called by every observe). */
  tick(): void {
    if (this.window.kind !== 'time') return;
    const now = this.clock();
    if (now < this.start + this.window.ms) return;
    if (this.rows > 0) this.close(this.start + this.window.ms);
    this.start += Math.floor((now - this.start) / this.window.ms) * this.window.ms;
  }

  /** Adds one row (and optionally its prediction). Never throws: bad cells count as missing, unknown features are ignored and listed. */
  observe(row: Record<string, unknown>, prediction?: unknown): void {
    try {
      this.tick();
      const r = row && typeof row === 'object' ? row : {};
      for (const [name, acc] of this.accs) acc.add(r[name]);
      if (this.ignored.size < 100) for (const k of Object.keys(r)) if (!this.accs.has(k)) this.ignored.add(k);
      if (prediction !== undefined) this.prediction?.add(prediction);
      this.rows++;
      this.sinceEval++;
      if (this.window.kind === 'count') {
        const w = this.window;
        if (w.mode === 'tumbling' && this.rows >= w.size) this.close();
        else if (
          w.mode === 'sliding' &&
          this.rows >= w.size &&
          this.sinceEval >= (w.step ?? Math.max(1, Math.floor(w.size / 10)))
        )
          this.close();
      }
    } catch (err) {
      this.logger.error({ err }, 'drift monitor failed to observe a row');
    }
  }

  /** Adds one prediction without a row. Never throws. */
  observePrediction(p: unknown): void {
    try {
      this.prediction?.add(p);
    } catch (err) {
      this.logger.error({ err }, 'drift monitor failed to observe a prediction');
    }
  }

  /** Adds one error (|actual − predicted|, or 0/1 for a miss) to the concept-drift detectors. Non-finite values are ignored. */
  observeError(e: number): void {
    if (typeof e !== 'number' || !Number.isFinite(e)) return;
    this.errors++;
    const at = () => new Date(this.clock()).toISOString();
    if (this.ph.update(e)) {
      this.phDetections++;
      this.emit('conceptDriftDetected', { detector: 'page-hinkley', errors: this.errors, at: at() });
    }
    if (this.adwin.update(e)) this.emit('conceptDriftDetected', { detector: 'adwin', errors: this.errors, at: at() });
  }

  private windowInfo(end?: number): WindowInfo {
    const w = this.window;
    const rows = w.kind === 'count' && w.mode === 'sliding' ? Math.min(this.rows, w.size) : this.rows;
    const info: WindowInfo =
      w.kind === 'count'
        ? { kind: 'count', mode: w.mode, size: w.size, rows, index: this.index }
        : { kind: 'time', ms: w.ms, rows, index: this.index };
    info.start = new Date(this.start).toISOString();
    info.end = new Date(end ?? this.clock()).toISOString();
    return info;
  }

  /** The report of the current window's contents (does not close the window). */
  report(): DriftReport {
    return this.compute();
  }

  private compute(end?: number): DriftReport {
    const snaps = new Map<string, FeatureSnapshot>();
    for (const [name, acc] of this.accs) snaps.set(name, acc.snapshot());
    const prediction = this.prediction?.snapshot();
    return buildReport(this.profile, snaps, this.windowInfo(end), this.options, {
      createdAt: new Date(end ?? this.clock()).toISOString(),
      ...(prediction && prediction.count + prediction.missing > 0 ? { prediction } : {}),
      ignoredFeatures: [...this.ignored],
      concept: {
        errors: this.errors,
        pageHinkley: { drifted: this.ph.driftDetected, detections: this.phDetections },
        adwin: {
          drifted: this.adwin.driftDetected,
          detections: this.adwin.detections,
          width: this.adwin.width,
          mean: this.adwin.estimation,
        },
      },
    });
  }

  /** Closes the current window now (even if not full) and returns its report. */
  flush(): DriftReport {
    return this.close();
  }

  private close(end?: number): DriftReport {
    const report = this.compute(end);
    this.lastReport = report;
    this.index++;
    this.sinceEval = 0;
    const slidingCount = this.window.kind === 'count' && this.window.mode === 'sliding';
    if (!slidingCount) {
      for (const acc of this.accs.values()) acc.reset();
      this.prediction?.reset();
      this.rows = 0;
      this.ignored.clear();
      if (end === undefined) this.start = this.clock();
    }
    const verdict = report.summary.verdict;
    const previous = this.lastVerdict;
    if (verdict !== 'insufficient-data') this.lastVerdict = verdict;
    this.emit('windowClosed', report);
    if (verdict === 'drift') this.emit('driftDetected', report);
    else if (verdict === 'no-drift' && previous === 'drift') this.emit('driftCleared', report);
    return report;
  }
}

/**
 * Creates a streaming drift monitor. Throws DriftError on invalid options or profile.
 * @example
 * const monitor = createDriftMonitor({ profile, window: { kind: 'count', size: 1000, mode: 'tumbling' } });
 * monitor.on('driftDetected', (report) => console.log(renderDriftReport(report)));
 * for (const row of stream) monitor.observe(row);
 */
export function createDriftMonitor(options: DriftMonitorOptions): DriftMonitor {
  return new DriftMonitor(options);
}
