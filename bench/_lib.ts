/**
 * Helpers shared by the benchmark suites (files starting with `_` are not suites).
 * Every suite writes `bench/results/<suite>.json`: a JSON array of records `{ case, ... }`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** A benchmark record: `case` names what was measured; the other fields are figures. */
export interface BenchRecord {
  case: string;
  [figure: string]: unknown;
}

/** Writes `bench/results/<suite>.json` and prints the records as a table. */
export function writeResults(suite: string, records: BenchRecord[]): string {
  const file = join(here, 'results', `${suite}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(records, null, 2) + '\n');
  console.table(records);
  console.log(`wrote ${file}`);
  return file;
}

/** The data folder: `$MODELSHIP_DATA_DIR`, else `../shared/datasets`. Exits loudly if absent. */
export function dataDir(): string {
  const dir = process.env.MODELSHIP_DATA_DIR ?? join(here, '..', '..', 'shared', 'datasets');
  if (!existsSync(dir)) {
    console.error(`data folder ${dir} not found: set MODELSHIP_DATA_DIR`);
    process.exit(2);
  }
  return dir;
}

/** The median of a list of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The q-quantile (0…1, nearest rank) of a list of numbers. */
export function quantile(xs: number[] | Float64Array, q: number): number {
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

/** Runs `fn` `repeats` times and returns the median wall time in seconds and the last result. */
export async function medianSeconds<T>(fn: () => T | Promise<T>, repeats = 3): Promise<{ seconds: number; result: T }> {
  const times: number[] = [];
  let result!: T;
  for (let i = 0; i < repeats; i++) {
    const t0 = process.hrtime.bigint();
    result = await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return { seconds: median(times), result };
}

/** p50/p99 in microseconds of `fn(i)` called `calls` times after `warmup` calls. */
export function latencyMicros(
  fn: (i: number) => unknown,
  calls = 20_000,
  warmup = 2_000,
): { p50: number; p99: number } {
  for (let i = 0; i < warmup; i++) fn(i);
  const lat = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const t0 = process.hrtime.bigint();
    fn(i);
    lat[i] = Number(process.hrtime.bigint() - t0) / 1e3;
  }
  return { p50: quantile(lat, 0.5), p99: quantile(lat, 0.99) };
}

/**
 * The peer results of `../shared/peer/run.sh <suite>` if present (`$PEER_OUT/py_<suite>.json`;
 * `file` names another file of that folder, `dir` another folder).
 */
export function peerResults(
  suite: string,
  dir = process.env.PEER_OUT ?? '/tmp/modelship-peer',
  file = `py_${suite}.json`,
): Record<string, any> | undefined {
  const path = join(dir, file);
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
}

/** The peers' native thread count of a peer result (`threads`, written by `../shared/peer` since PEER_THREADS). */
export function peerThreads(result: Record<string, any> | undefined): number | undefined {
  return typeof result?.threads === 'number' ? result.threads : undefined;
}

/**
 * Batch prediction throughput: calls `fn()` (which predicts `rows` rows) until at least
 * `minSeconds` have passed and at least 3 times, after one warm-up call; returns rows per second.
 * This is the figure to put beside a peer's `batch_rows_per_s` (one call over a whole matrix).
 */
export function batchRowsPerSecond(fn: () => unknown, rows: number, minSeconds = 0.5): number {
  fn();
  const t0 = process.hrtime.bigint();
  let calls = 0;
  while (Number(process.hrtime.bigint() - t0) < minSeconds * 1e9 || calls < 3) {
    fn();
    calls++;
  }
  return (calls * rows) / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/** `/proc/loadavg`'s 1-, 5- and 15-minute load averages (os.loadavg), as a string. */
export function loadAverage(): string {
  return loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
}

/** Says what an in-process single-row latency is, so no one reads it beside a Python call's. */
export const IN_PROCESS_NOTE =
  'predictRow*Micros: in-process call, not comparable with a Python call (peer single_row); compare batch rows/s';

/** Peak resident set size of this process so far, in MB. */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}
