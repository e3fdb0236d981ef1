/**
 * A modelship registry store on any S3-compatible object store.
 *
 * @module
 */
