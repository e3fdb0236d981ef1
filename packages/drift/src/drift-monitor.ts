/**
 * The streaming drift monitor: observes rows, predictions and errors one at a time, keeps a
 * count (tumbling or sliding) or time window per feature in constant memory, and closes windows
 * into drift reports with `driftDetected` / `driftCleared` events.
 */
import { childLogger, type Logger, SafeEmitter } from '@modelship/core/events';
import { z } from 'zod';
import { createAccumulator, type Accumulator } from './accumulators.js';
import { Adwin, type AdwinOptions } from './concept/adwin.js';
import { PageHinkley, type PageHinkleyOptions } from './concept/page-hinkley.js';
import { DriftError } from './errors.js';
import type { FeatureSnapshot } from './feature-tests.js';
import { evaluationOptionsSchema } from './options.js';
import { parseProfile, type ReferenceProfile } from './profile.js';
import { buildReport, type DriftReport, type EvaluationOptions } from './report.js';
import { type CountWindow, StreamWindow, storageFor, type TimeWindow, windowSchema } from './windows.js';

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
  /** A pino-compatible logger (default silent); the monitor logs through `logger.child({ component: 'drift-monitor' })`. */
  logger?: Logger;
  /** Concept-drift detectors on the error stream (defaults: River's). */
  concept?: {
    /** Options of the Page–Hinkley detector. */
    pageHinkley?: PageHinkleyOptions;
    /** Options of the ADWIN detector. */
    adwin?: AdwinOptions;
  };
}

/** The monitor's events. */
export interface DriftMonitorEvents {
  /** A window closed (every window). */
  windowClosed: (report: DriftReport) => void;
  /** A window closed with verdict 'drift': dataset drift or a feature alarm (read `summary.datasetDrift` and `summary.featureAlarms`). */
  driftDetected: (report: DriftReport) => void;
  /** A window closed with verdict 'no-drift' after a window with verdict 'drift'. */
  driftCleared: (report: DriftReport) => void;
  /** Page–Hinkley or ADWIN signalled a change on the error stream. */
  conceptDriftDetected: (event: { detector: 'page-hinkley' | 'adwin'; errors: number; at: string }) => void;
}

/** Watches a live stream for drift against a reference profile. Create with {@link createDriftMonitor}. */
export class DriftMonitor extends SafeEmitter<DriftMonitorEvents> {
  private readonly profile: ReferenceProfile;
  private readonly window: StreamWindow;
  private readonly accs = new Map<string, Accumulator>();
  private readonly prediction: Accumulator | undefined;
  private readonly clock: () => number;
  private readonly logger: Logger;
  private readonly options: EvaluationOptions;
  private readonly ph: PageHinkley;
  private readonly adwin: Adwin;
  private readonly ignored = new Set<string>();
  private readonly closeAt = (end: number): void => {
    this.close(end);
  };
  private errors = 0;
  private phDetections = 0;
  private lastVerdict: DriftReport['summary']['verdict'] | undefined;
  /** The report of the last closed window. */
  lastReport: DriftReport | undefined;

  constructor(options: DriftMonitorOptions) {
    const logger = childLogger(options.logger, { component: 'drift-monitor' });
    super(logger);
    const ev = evaluationOptionsSchema.safeParse(options);
    const win = windowSchema.safeParse(options.window ?? { kind: 'count' });
    if (!ev.success || !win.success) {
      const err = !ev.success ? ev.error : (win as { error: z.ZodError }).error;
      throw new DriftError('INVALID_OPTIONS', `createDriftMonitor: invalid options\n${z.prettifyError(err)}`, {
        operation: 'createDriftMonitor',
      });
    }
    this.profile = parseProfile(options.profile);
    this.options = options;
    this.clock = options.clock ?? Date.now;
    this.logger = logger;
    const storage = storageFor(win.data, options.random ?? Math.random);
    for (const [name, fp] of Object.entries(this.profile.features)) this.accs.set(name, createAccumulator(fp, storage));
    this.prediction = this.profile.prediction ? createAccumulator(this.profile.prediction, storage) : undefined;
    this.ph = new PageHinkley(options.concept?.pageHinkley);
    this.adwin = new Adwin(options.concept?.adwin);
    this.window = new StreamWindow(win.data, this.clock);
  }

  /** Rotates a time window when the clock has passed its end (also called by every observe). */
  tick(): void {
    this.window.tick(this.closeAt);
  }

  /** Adds one row (and optionally its prediction). Never throws: bad cells count as missing, unknown features are ignored and listed. */
  observe(row: Record<string, unknown>, prediction?: unknown): void {
    try {
      this.tick();
      const r = row && typeof row === 'object' ? row : {};
      for (const [name, acc] of this.accs) acc.add(r[name]);
      if (this.ignored.size < 100) for (const k of Object.keys(r)) if (!this.accs.has(k)) this.ignored.add(k);
      if (prediction !== undefined) this.prediction?.add(prediction);
      if (this.window.added()) this.close();
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
      this.emitSafely('conceptDriftDetected', { detector: 'page-hinkley', errors: this.errors, at: at() });
    }
    if (this.adwin.update(e))
      this.emitSafely('conceptDriftDetected', { detector: 'adwin', errors: this.errors, at: at() });
  }

  /** The report of the current window's contents (does not close the window). */
  report(): DriftReport {
    return this.compute();
  }

  private compute(end?: number): DriftReport {
    const snaps = new Map<string, FeatureSnapshot>();
    for (const [name, acc] of this.accs) snaps.set(name, acc.snapshot());
    const prediction = this.prediction?.snapshot();
    return buildReport(this.profile, snaps, this.window.info(end), this.options, {
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
    if (this.window.closed(end)) {
      for (const acc of this.accs.values()) acc.reset();
      this.prediction?.reset();
      this.ignored.clear();
    }
    const verdict = report.summary.verdict;
    const previous = this.lastVerdict;
    if (verdict !== 'insufficient-data') this.lastVerdict = verdict;
    this.emitSafely('windowClosed', report);
    if (verdict === 'drift') this.emitSafely('driftDetected', report);
    else if (verdict === 'no-drift' && previous === 'drift') this.emitSafely('driftCleared', report);
    return report;
  }
}

/**
 * Creates a streaming drift monitor. Throws DriftError on invalid options or profile.
 * @example
 * ```ts
 * const monitor = createDriftMonitor({ profile, window: { kind: 'count', size: 1000, mode: 'tumbling' } });
 * monitor.on('driftDetected', (report) => console.log(renderDriftReport(report)));
 * for (const row of stream) monitor.observe(row);
 * ```
 */
export function createDriftMonitor(options: DriftMonitorOptions): DriftMonitor {
  return new DriftMonitor(options);
}
