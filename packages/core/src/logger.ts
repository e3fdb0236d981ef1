/**
 * The logger and event contracts every modelship component shares: a pino-compatible logger
 * (silent by default, a child per component) and `safeEmit`, which delivers an event so that a
 * listener that throws is logged and never breaks the operation that emitted it.
 */

/** A pino-compatible logger (only these methods are used); pass pino itself or any object with them. */
export interface Logger {
  /** Logs at debug level. */
  debug(obj: object, msg?: string): void;
  /** Logs at info level. */
  info(obj: object, msg?: string): void;
  /** Logs at warn level. */
  warn(obj: object, msg?: string): void;
  /** Logs at error level (errors as `{ err }`). */
  error(obj: object, msg?: string): void;
  /** A child logger with extra bindings; optional. */
  child?(bindings: object): Logger;
}

const noop = (): void => {};

/** A logger that discards everything (the default of every component). */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** `logger.child(bindings)` when the logger supports it, the logger itself otherwise, and the silent logger when none is given. */
export function childLogger(logger: Logger | undefined, bindings: object): Logger {
  if (!logger) return silentLogger;
  return typeof logger.child === 'function' ? logger.child(bindings) : logger;
}

/** The part of an eventemitter3 emitter that {@link safeEmit} uses. */
export interface ListenerSource {
  /** The listeners of an event. */
  listeners(event: string): Array<(...args: any[]) => void>;
  /** Removes a listener (`once` = only if it was added with `once`). */
  removeListener(event: string, fn: (...args: any[]) => void, context: undefined, once: boolean): unknown;
}

/**
 * Calls every listener of `event` with `payload`, logging (never rethrowing) what a listener
 * throws, and removes `once` listeners afterwards. Emit after the durable change, never on failure.
 *
 * @example
 * ```ts
 * safeEmit(this, 'aliasMoved', event, this.logger);
 * ```
 */
export function safeEmit(emitter: ListenerSource, event: string, payload: unknown, logger: Logger): void {
  const listeners = emitter.listeners(event);
  for (const l of listeners) {
    try {
      l(payload);
    } catch (err) {
      logger.error({ err, event }, 'event listener threw');
    }
  }
  for (const l of listeners) emitter.removeListener(event, l, undefined, true);
}
