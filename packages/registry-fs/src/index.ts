/**
 * A modelship registry store on a local or network file system.
 *
 * @module
 */
export { FsStore } from './fs-store.js';
export type { FsStoreOptions, FsSweepOptions, FsSweepReport } from './fs-store.js';
