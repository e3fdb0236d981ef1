/** The streams and environment `run` works with (injected, so tests run it in-process). */

/** A writable text stream: `process.stdout`, or a test's collector. */
export interface CliWritable {
  /** Writes text. */
  write(chunk: string): unknown;
  /** True on a terminal (then `train` draws a progress bar). */
  isTTY?: boolean | undefined;
}

/** What {@link run} reads and writes instead of the process globals. */
export interface RunContext {
  /** Where results go (one JSON document with `--json`). */
  stdout: CliWritable;
  /** Where progress and errors go (every error one line). */
  stderr: CliWritable;
  /** Environment variables (`MODELSHIP_REGISTRY`, `MODELSHIP_DEBUG`, `AWS_*`). */
  env: Readonly<Record<string, string | undefined>>;
  /** The directory relative paths are resolved against. */
  cwd: string;
  /** Stops waits (`jobs logs -f`, `serve`) when aborted; default none. */
  signal?: AbortSignal | undefined;
}
