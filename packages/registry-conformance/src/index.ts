/**
 * The one test suite every modelship registry store must pass.
 *
 * @module
 */
