/**
 * `@modelship/core/kit`: building blocks for packages built on core (the training stack, data
 * loaders, stores, plugins): turning a zod failure into a modelship error, describing and checking
 * values against a column spec, and a pairwise sum. Not needed by applications.
 *
 * @module @modelship/core/kit
 */
export { parseOrThrow } from './data/zod-parse.js';
export type { ZodErrorFactory } from './data/zod-parse.js';
export { describeValue, checkNumber, checkCategory } from './data/schema.js';
export { pairwiseSum } from './data/pairwise-sum.js';
export { median } from './data/median.js';
export { encodeContainer } from './artifact/codec.js';
