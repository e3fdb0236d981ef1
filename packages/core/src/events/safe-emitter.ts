import { EventEmitter } from 'eventemitter3';
import { type Logger, silentLogger } from '../logger.js';

/**
 * The typed event emitter every modelship component extends: an eventemitter3
 * `EventEmitter<Events>` whose {@link SafeEmitter.emitSafely} delivers an event so that a
 * listener that throws is logged as `{ err, event }` and never breaks the operation that
 * emitted it (the other listeners still run, `once` listeners still fire once).
 *
 * @example
 * ```ts
 * interface CacheEvents { evicted: (event: { key: string }) => void }
 * class Cache extends SafeEmitter<CacheEvents> {
 *   constructor(logger?: Logger) { super(logger); }
 *   evict(key: string): void { this.emitSafely('evicted', { key }); }
 * }
 * ```
 */
export class SafeEmitter<Events extends EventEmitter.ValidEventTypes = string | symbol> extends EventEmitter<Events> {
  readonly #eventLog: Logger;

  /** `logger` receives what a listener throws (default: silence). */
  constructor(logger: Logger = silentLogger) {
    super();
    this.#eventLog = logger;
  }

  /**
   * Calls every listener of `event` with `args` (as `emit` does, `this` being the emitter),
   * logging at error level, never rethrowing, what a listener throws; `once` listeners are
   * removed before they are called. Returns whether the event had listeners. Emit after the
   * durable change, never on failure. Costs one `listenerCount` check when nobody listens.
   */
  protected emitSafely<K extends EventEmitter.EventNames<Events>>(
    event: K,
    ...args: EventEmitter.EventArgs<Events, K>
  ): boolean {
    if (this.listenerCount(event) === 0) return false;
    const listeners = this.listeners(event);
    // once listeners go first, as in EventEmitter#emit, so a listener that emits again does not re-run them
    for (const l of listeners) this.removeListener(event, l, undefined, true);
    for (const l of listeners) {
      try {
        (l as (...a: unknown[]) => void).apply(this, args);
      } catch (err) {
        this.#eventLog.error({ err, event }, 'event listener threw');
      }
    }
    return true;
  }
}
