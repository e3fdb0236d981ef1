/**
 * The logger contract every modelship component shares: a pino-compatible logger, silent by
 * default, a child per component (events are emitted through `SafeEmitter`, which logs what a
 * listener throws).
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
