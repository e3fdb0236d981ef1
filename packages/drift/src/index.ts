/**
 * Reference profiles, per-feature drift tests, streaming windows and drift reports.
 *
 * @module
 */
