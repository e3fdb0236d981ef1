/**
 * The one test suite every modelship registry store must pass. A store package runs it in a
 * three-line test file:
 *
 * ```ts
 * import { runRegistryConformance } from '@modelship/registry-conformance';
 * import { fsHarness } from './harness.js';
 * runRegistryConformance({ name: 'FsStore', createStore: fsHarness });
 * ```
 *
 * @module
 */
export { runRegistryConformance, CONFORMANCE_GROUPS } from './suite.js';
export type { ConformanceHarness, ConformanceOptions } from './harness.js';
export { runProcessConformance } from './process-suite.js';
export type { ProcessConformanceOptions } from './process-suite.js';
export { runOutcomeStoreConformance } from './outcome-suite.js';
export type { OutcomeStoreConformanceOptions, OutcomeStoreHarness } from './outcome-suite.js';
