#!/usr/bin/env node
/** The `modelship` executable: {@link run} on the process's arguments, streams and environment. */
import { run } from './run.js';

const abort = new AbortController();
// the first Ctrl-C stops waits and training between steps; a second one exits at once
process.on('SIGINT', () => {
  if (abort.signal.aborted) process.exit(130);
  abort.abort();
});
void run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: abort.signal,
}).then((code) => {
  process.exitCode = code;
  process.removeAllListeners('SIGINT');
});
