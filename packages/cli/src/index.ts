/**
 * `@modelship/cli`: the `modelship` command line as a function — {@link run} takes the arguments
 * and the streams, and resolves with the exit code ({@link EXIT_CODES}).
 *
 * @packageDocumentation
 */
export { run } from './run.js';
export type { RunContext, CliWritable } from './io.js';
export { EXIT_CODES, CliError } from './errors.js';
export type { ExitCode } from './errors.js';
