/** How raw cell values are read: what counts as a number, a category or missing. */

/** A numeric cell: a finite number (or a numeric string); anything else (null, NaN, ±Infinity, '') is missing → NaN. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : Number.NaN;
  if (typeof v === 'string' && v.trim() !== '') {
    const x = Number(v);
    return Number.isFinite(x) ? x : Number.NaN;
  }
  if (typeof v === 'bigint') return Number(v);
  return Number.NaN;
}

/** A categorical cell as its string key; null, undefined, '', NaN and non-finite numbers are missing → undefined. */
export function toCategory(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}
