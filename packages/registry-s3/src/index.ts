/**
 * A modelship registry store on any S3-compatible object store.
 *
 * @module
 */
export { S3Store } from './s3-store.js';
export type { S3StoreOptions } from './s3-store.js';
