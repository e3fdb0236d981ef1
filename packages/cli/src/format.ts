/** Plain-text tables and value formatting for the command line's human output. */

/** A table with a header row, columns padded to their widest cell (numbers right-aligned). */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map(
    (_, i) => rows.length > 0 && rows.every((r) => /^-?[\d.]+(e[-+]?\d+)?%?$|^$|^-$/.test(r[i] ?? '')),
  );
  const line = (cells: readonly string[], head: boolean) =>
    cells
      .map((c, i) => (numeric[i] && !head ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header, true), ...rows.map((r) => line(r, false))].join('\n');
}

/** A number with at most 4 decimals (integers as they are). */
export function num(x: number | undefined): string {
  if (x === undefined) return '-';
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e9) ? x.toExponential(3) : String(Math.round(x * 10_000) / 10_000);
}

/** An epoch-ms time as ISO 8601 (seconds precision). */
export function time(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '-';
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `v3`, or `-` when absent. */
export function ver(v: number | null | undefined): string {
  return v === undefined || v === null ? '-' : `v${v}`;
}

/** Metrics as `name=value` pairs. */
export function metricsLine(m: Record<string, number>, max = 4): string {
  const e = Object.entries(m);
  const shown = e.slice(0, max).map(([k, v]) => `${k}=${num(v)}`);
  return e.length > max ? `${shown.join(' ')} …` : shown.join(' ') || '-';
}
