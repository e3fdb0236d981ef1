/** The subset of a pino logger the router uses (pino, or any object with these methods). */
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

/** A logger that discards everything (the default). */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** `logger.child(bindings)` when supported, else the logger itself. */
export function childLogger(logger: Logger | undefined, bindings: object): Logger {
  if (!logger) return silentLogger;
  return typeof logger.child === 'function' ? logger.child(bindings) : logger;
}
