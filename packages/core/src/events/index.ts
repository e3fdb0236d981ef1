/**
 * `@modelship/core/events`: the component contract on its own — the `Logger` type, the silent
 * logger, `childLogger` and the `SafeEmitter` base — so that packages that otherwise use only
 * core's types (drift) load nothing else of core at run time.
 *
 * @module @modelship/core/events
 */
export { SafeEmitter } from './safe-emitter.js';
export { silentLogger, childLogger } from '../logger.js';
export type { Logger } from '../logger.js';
