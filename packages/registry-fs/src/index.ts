/**
 * A modelship registry store on a local or network file system.
 *
 * @module
 */
