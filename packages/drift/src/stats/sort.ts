/**
 * Fast ascending sort of float64 values: an LSD radix sort on the IEEE-754 bit patterns
 * of the high 32 bits (3 passes of 10–11 bits), then a sort of each run of equal high words for large arrays, the native `Float64Array.prototype.sort` for small ones.
 * NaN values are dropped.
 */

const RADIX_MIN = 4096;

/** A sorted Float64Array copy of the values without NaN. */
export function sortFinite(values: ArrayLike<number>): Float64Array<ArrayBuffer> {
  const n0 = values.length;
  let out: Float64Array<ArrayBuffer>;
  let n = 0;
  if (values instanceof Float64Array) {
    out = values.slice() as Float64Array<ArrayBuffer>;
    for (let i = 0; i < n0; i++) {
      const x = out[i]!;
      if (x === x) out[n++] = x;
    }
  } else {
    out = new Float64Array(n0);
    for (let i = 0; i < n0; i++) {
      const x = values[i]!;
      if (x === x) out[n++] = x;
    }
  }
  const res = n === n0 ? out : out.slice(0, n);
  if (n < RADIX_MIN) return res.sort();
  radixSort(res);
  return res;
}

/** Sorts a NaN-free Float64Array in place by an LSD radix sort. */
export function radixSort(a: Float64Array<ArrayBuffer>): void {
  const n = a.length;
  const words = new Uint32Array(a.buffer, a.byteOffset, n * 2);
  // Map the bit patterns to unsigned keys that order like the numbers.
  for (let i = 0; i < n; i++) {
    const hi = words[2 * i + 1]!;
    if (hi & 0x80000000) {
      words[2 * i] = ~words[2 * i]! >>> 0;
      words[2 * i + 1] = ~hi >>> 0;
    } else words[2 * i + 1] = (hi | 0x80000000) >>> 0;
  }
  // Six passes of 11, 11 and 10 bits over each 32-bit word: 2,048 buckets stay in cache.
  // Only the high word is radix-sorted; runs sharing a high word are finished below.
  const passes: [number, number, number][] = [
    [1, 0, 11],
    [1, 11, 11],
    [1, 22, 10],
  ];
  const counts = new Uint32Array(3 * 2048);
  for (let i = 0; i < n; i++) {
    const hi = words[2 * i + 1]!;
    counts[hi & 0x7ff]!++;
    counts[2048 + ((hi >>> 11) & 0x7ff)]!++;
    counts[4096 + (hi >>> 22)]!++;
  }
  // Elements move as whole float64 words; the digit is read from the high 32-bit word.
  let srcW = words;
  let srcF: Float64Array = a;
  let dstF = new Float64Array(n);
  let dstW = new Uint32Array(dstF.buffer);
  for (let pass = 0; pass < 3; pass++) {
    const base = pass * 2048;
    const [, shift, bits] = passes[pass]!;
    const mask = (1 << bits) - 1;
    // Skip a pass where every key has the same digit.
    let skip = false;
    for (let d = 0; d <= mask; d++) {
      const c = counts[base + d]!;
      if (c === n) skip = true;
      if (c !== 0) break;
    }
    if (skip) continue;
    let sum = 0;
    for (let d = 0; d <= mask; d++) {
      const c = counts[base + d]!;
      counts[base + d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const p = counts[base + ((srcW[2 * i + 1]! >>> shift) & mask)]!++;
      dstF[p] = srcF[i]!;
    }
    const tf = srcF;
    srcF = dstF;
    dstF = tf as Float64Array<ArrayBuffer>;
    const tw = srcW;
    srcW = dstW;
    dstW = tw;
  }
  const src = srcW;
  // Undo the key mapping, into `a` (src may be the scratch buffer).
  for (let i = 0; i < n; i++) {
    const lo = src[2 * i]!;
    const hi = src[2 * i + 1]!;
    if (hi & 0x80000000) {
      words[2 * i] = lo;
      words[2 * i + 1] = (hi & 0x7fffffff) >>> 0;
    } else {
      words[2 * i] = ~lo >>> 0;
      words[2 * i + 1] = ~hi >>> 0;
    }
  }
  // Values with the same high word are adjacent; order each such run by the full value.
  let i = 0;
  while (i < n) {
    const hi = words[2 * i + 1]!;
    let j = i + 1;
    while (j < n && words[2 * j + 1] === hi) j++;
    if (j - i > 1) {
      if (j - i <= 16) {
        for (let k = i + 1; k < j; k++) {
          const x = a[k]!;
          let m = k - 1;
          while (m >= i && a[m]! > x) {
            a[m + 1] = a[m]!;
            m--;
          }
          a[m + 1] = x;
        }
      } else a.subarray(i, j).sort();
    }
    i = j;
  }
}
