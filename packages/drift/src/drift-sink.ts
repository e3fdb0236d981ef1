/**
 * The drift sink: a router observer (structurally `@modelship/router`'s `ServedObserver`, which
 * drift does not import) keeping one drift monitor per served (variant, version), built from that
 * version's artifact profile and replaced when the router swaps to another version.
 */
import { childLogger, type Logger, SafeEmitter } from '@modelship/core/events';
import { z } from 'zod';
import { DriftMonitor, type DriftMonitorOptions } from './drift-monitor.js';
import { DriftError } from './errors.js';
import { evaluationOptionsSchema } from './options.js';
import type { DriftReport } from './report.js';
import { windowSchema } from './windows.js';

/** A served model version as a router reports it (the fields of the router's `ServedModelInfo` the sink reads). */
export interface DriftSinkServed {
  /** The variant, e.g. `'production'` or `'candidate'`. */
  readonly variant: string;
  /** The model version. */
  readonly version: number;
  /** The version's artifact; its `profile` is the monitor's reference. */
  readonly artifact?: { readonly profile?: unknown } | undefined;
}

/** Options of {@link createDriftSink}: the options of every monitor it creates, but the profile (taken from each artifact). */
export interface DriftSinkOptions extends Omit<DriftMonitorOptions, 'profile'> {
  /** The variants watched; default every variant the router serves. */
  variants?: readonly string[];
}

/** A monitor's event as the sink re-emits it: which served version it is about, and the report. */
export interface DriftSinkEvent {
  /** The variant. */
  readonly variant: string;
  /** The model version whose profile is the reference. */
  readonly version: number;
  /** The report of the closed window. */
  readonly report: DriftReport;
}

/** Events of a {@link DriftSink}. */
export interface DriftSinkEvents {
  /** A served version's window closed with verdict 'drift'. */
  driftDetected: (event: DriftSinkEvent) => void;
  /** A served version's window closed with verdict 'no-drift' after one with 'drift'. */
  driftCleared: (event: DriftSinkEvent) => void;
  /** A served version's window closed (every window). */
  windowClosed: (event: DriftSinkEvent) => void;
}

interface Entry {
  readonly version: number;
  readonly monitor: DriftMonitor | undefined;
}

/** The answer a router reports (core's `Model.predict` gives `{ value }`) as the value profiled. */
function predictionValue(p: unknown): unknown {
  if (typeof p === 'object' && p !== null && 'value' in p) return (p as { value: unknown }).value;
  return p;
}

/**
 * Watches what a router serves for drift, one {@link DriftMonitor} per served (variant, version)
 * with that version's artifact profile as reference: pass it in the router's `observers`. On a
 * swap, the monitor of a variant whose version changed is replaced by one over the new version's
 * profile (the old window is dropped). A version whose artifact has no valid profile is not
 * monitored (logged once). Never throws into the router. Create with {@link createDriftSink}.
 */
export class DriftSink extends SafeEmitter<DriftSinkEvents> {
  readonly #options: Omit<DriftMonitorOptions, 'profile'>;
  readonly #variants: ReadonlySet<string> | undefined;
  readonly #logger: Logger;
  readonly #entries = new Map<string, Entry>();

  /** Use {@link createDriftSink}. */
  constructor(options: DriftSinkOptions = {}) {
    const logger = childLogger(options.logger, { component: 'drift-sink' });
    super(logger);
    const ev = evaluationOptionsSchema.safeParse(options);
    const win = windowSchema.safeParse(options.window ?? { kind: 'count' });
    const variants = z.array(z.string().min(1)).optional().safeParse(options.variants);
    if (!ev.success || !win.success || !variants.success) {
      const err = !ev.success ? ev.error : !win.success ? win.error : (variants as { error: z.ZodError }).error;
      throw new DriftError('INVALID_OPTIONS', `createDriftSink: invalid options\n${z.prettifyError(err)}`, {
        operation: 'createDriftSink',
      });
    }
    const { variants: only, ...monitorOptions } = options;
    this.#options = monitorOptions;
    this.#variants = only ? new Set(only) : undefined;
    this.#logger = logger;
  }

  #entry(served: DriftSinkServed): Entry | undefined {
    const { variant, version } = served;
    if (this.#variants && !this.#variants.has(variant)) return undefined;
    const cur = this.#entries.get(variant);
    if (cur && cur.version === version) return cur;
    const entry: Entry = { version, monitor: this.#create(served) };
    this.#entries.set(variant, entry);
    return entry;
  }

  #create(served: DriftSinkServed): DriftMonitor | undefined {
    const { variant, version } = served;
    const profile = served.artifact?.profile;
    if (profile === undefined) {
      this.#logger.warn({ variant, version }, 'served artifact has no drift profile; not monitored');
      return undefined;
    }
    try {
      const monitor = new DriftMonitor({ ...this.#options, profile });
      const forward = (event: keyof DriftSinkEvents) => (report: DriftReport) =>
        this.emitSafely(event, { variant, version, report });
      monitor.on('driftDetected', forward('driftDetected'));
      monitor.on('driftCleared', forward('driftCleared'));
      monitor.on('windowClosed', forward('windowClosed'));
      this.#logger.info({ variant, version }, 'drift monitor created from the served artifact profile');
      return monitor;
    } catch (err) {
      this.#logger.error({ err, variant, version }, 'served artifact profile is not usable; not monitored');
      return undefined;
    }
  }

  /** The router observer's call for each answered request: the row and the answer go to the monitor of the version that answered. */
  onServe(served: DriftSinkServed, input: unknown, prediction: unknown): void {
    try {
      const row = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
      this.#entry(served)?.monitor?.observe(row, predictionValue(prediction));
    } catch (err) {
      this.#logger.error({ err }, 'drift sink failed to observe a request');
    }
  }

  /** The router observer's call after a swap: monitors follow the versions now served (new profiles, retired variants dropped). */
  onSwap(served: readonly DriftSinkServed[]): void {
    try {
      const names = new Set(served.map((s) => s.variant));
      for (const v of [...this.#entries.keys()]) if (!names.has(v)) this.#entries.delete(v);
      for (const s of served) this.#entry(s);
    } catch (err) {
      this.#logger.error({ err }, 'drift sink failed to follow a swap');
    }
  }

  /** The monitor of a variant's served version (feed it `observeError` for concept drift), `undefined` when not monitored. */
  monitorOf(variant = 'production'): { readonly version: number; readonly monitor: DriftMonitor } | undefined {
    const e = this.#entries.get(variant);
    return e?.monitor ? { version: e.version, monitor: e.monitor } : undefined;
  }

  /** The report of a variant's current window (not closing it), `undefined` when not monitored. */
  report(variant = 'production'): DriftReport | undefined {
    return this.#entries.get(variant)?.monitor?.report();
  }
}

/**
 * Creates a {@link DriftSink}, a router observer; options are those of `createDriftMonitor` but
 * the profile, validated now (DriftError `INVALID_OPTIONS`).
 *
 * @example
 * ```ts
 * const drift = createDriftSink({ window: { kind: 'count', size: 1000 } });
 * drift.on('driftDetected', ({ variant, version, report }) => log.warn({ variant, version }, renderDriftReport(report)));
 * const router = createModelRouter({ registry, model: 'house-prices', hmacKey, observers: [drift] });
 * ```
 */
export function createDriftSink(options: DriftSinkOptions = {}): DriftSink {
  return new DriftSink(options);
}
