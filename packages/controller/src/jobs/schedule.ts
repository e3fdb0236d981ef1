/**
 * Cron schedules (over croner): a function run at the pattern's times, never two runs at once.
 */
import { childLogger, type Logger } from '@modelship/core';
import { Cron } from 'croner';
import { ControllerError } from '../errors.js';
import type { Clock } from '../types.js';

/** Options of {@link createSchedule}. */
export interface ScheduleOptions {
  /** The IANA time zone the pattern is read in (e.g. `'Europe/Berlin'`); default the process's. */
  timezone?: string;
  /** Epoch milliseconds now, the reference of {@link Schedule.nextRun}; default `Date.now`. */
  clock?: Clock;
  /** A pino-compatible logger (a run that throws is logged, as is a run skipped for overlap); default silent. */
  logger?: Logger;
}

/**
 * A running cron schedule (see {@link createSchedule}). A run still in progress when the next
 * time comes makes that time be skipped (croner's `protect`): runs never overlap.
 */
export class Schedule {
  /** The cron pattern. */
  readonly pattern: string;
  readonly #cron: Cron;
  readonly #clock: Clock;
  #runs = 0;
  #skipped = 0;

  /** Use {@link createSchedule}. */
  constructor(pattern: string, run: () => Promise<void>, options: ScheduleOptions = {}) {
    const op = 'createSchedule';
    if (typeof pattern !== 'string' || pattern.trim() === '') {
      throw new ControllerError('INVALID_OPTIONS', `${op}: schedule: expected a cron pattern such as '0 3 * * *'`, {
        operation: op,
        details: { field: 'schedule' },
      });
    }
    if (typeof run !== 'function') {
      throw new ControllerError('INVALID_OPTIONS', `${op}: run: expected a function`, {
        operation: op,
        details: { field: 'run' },
      });
    }
    if (options.timezone !== undefined) {
      try {
        new Intl.DateTimeFormat('en', { timeZone: options.timezone });
      } catch (cause) {
        throw new ControllerError('INVALID_OPTIONS', `${op}: timezone: unknown time zone '${options.timezone}'`, {
          operation: op,
          details: { field: 'timezone' },
          cause,
        });
      }
    }
    const log = childLogger(options.logger, { component: 'schedule', schedule: pattern });
    this.pattern = pattern;
    this.#clock = options.clock ?? Date.now;
    try {
      this.#cron = new Cron(
        pattern,
        {
          protect: () => {
            this.#skipped++;
            log.warn({ schedule: pattern }, 'scheduled run skipped: the previous run is still in progress');
          },
          catch: (err: unknown) => log.error({ err, schedule: pattern }, 'scheduled run failed'),
          ...(options.timezone !== undefined ? { timezone: options.timezone } : {}),
        },
        async () => {
          this.#runs++;
          await run();
        },
      );
    } catch (cause) {
      throw new ControllerError(
        'INVALID_OPTIONS',
        `${op}: schedule: invalid cron pattern '${pattern}': ${(cause as Error).message}`,
        { operation: op, details: { field: 'schedule' }, cause },
      );
    }
  }

  /** The next run time after now (by the clock), or `undefined` when the schedule is stopped or has none. */
  nextRun(): Date | undefined {
    return this.#cron.nextRun(new Date(this.#clock())) ?? undefined;
  }

  /** True while a run is in progress. */
  get busy(): boolean {
    return this.#cron.isBusy();
  }

  /** Runs started so far. */
  get runs(): number {
    return this.#runs;
  }

  /** Times skipped because the previous run was still in progress. */
  get skipped(): number {
    return this.#skipped;
  }

  /** Stops the schedule for good (a run in progress finishes). */
  stop(): void {
    this.#cron.stop();
  }
}

/**
 * Runs `run` at the times of a cron pattern (5 fields, or 6 with seconds first), never two runs
 * at once: a time that comes while the previous run is still in progress is skipped. A run that
 * throws is logged and the schedule goes on. An invalid pattern is
 * `ControllerError('INVALID_OPTIONS')` naming the field `schedule`.
 *
 * @example
 * ```ts
 * const nightly = createSchedule('0 3 * * *', async () => {
 *   await runner.submit(spec, { trigger: 'schedule', idempotencyKey: `nightly-${new Date().toISOString().slice(0, 10)}` });
 * }, { timezone: 'Europe/Berlin' });
 * nightly.nextRun(); // the next 03:00 in Berlin
 * nightly.stop();
 * ```
 */
export function createSchedule(cron: string, run: () => Promise<void>, options: ScheduleOptions = {}): Schedule {
  return new Schedule(cron, run, options);
}
