/**
 * Traffic splitting, hot-swapping model router, prediction log, feedback and per-variant outcomes.
 *
 * @module
 */
