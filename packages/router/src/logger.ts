/** The router logs through the shared pino-compatible logger contract of `@modelship/core`. */
export { childLogger, silentLogger } from '@modelship/core';
export type { Logger } from '@modelship/core';
