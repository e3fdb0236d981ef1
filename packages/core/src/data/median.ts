/**
 * The median of a list of numbers: the middle value, or the mean of the two middle values
 * (as numpy's `median`); `NaN` when the list is empty. `±Infinity` entries sort to the ends.
 */
export function median(xs: ArrayLike<number>): number {
  if (xs.length === 0) return Number.NaN;
  const s = Float64Array.from(xs).sort();
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
