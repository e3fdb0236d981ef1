import { fnv1a32 } from './hashing.js';
import { rowKey } from './columns.js';
import type { Encoder } from './encoder.js';
import type { CrossStepSpec, HashStepSpec } from './spec.js';

const DEFAULT_BUCKETS = 1 << 14;

/** The runtime of a hashing step (`hash`, or a `cross` with hash encoding); nothing to fit. */
export function hashEncoder(spec: HashStepSpec | CrossStepSpec): Encoder {
  const buckets = spec.buckets ?? DEFAULT_BUCKETS;
  const cross = spec.type === 'cross';
  const prefix = spec.name ?? spec.columns.join(cross ? '*' : '+');
  const signed = spec.type === 'hash' && spec.alternateSign === true;
  const names = Array.from({ length: buckets }, (_, i) => `${prefix}#${i}`);
  const add = (out: Float64Array, base: number, token: string): void => {
    const h = fnv1a32(token);
    out[base + (h % buckets)]! += signed && h >>> 31 === 1 ? -1 : 1;
  };
  const crossKey = (parts: (string | null)[]): string | null =>
    parts.includes(null) ? null : `${prefix}=${parts.join('\u001f')}`;
  return {
    width: buckets,
    names,
    state: { type: 'hash' },
    fillTable(view, out, stride, offset) {
      const readers = spec.columns.map((c) => view.keys(c));
      for (let i = 0; i < view.numRows; i++) {
        const base = i * stride + offset;
        if (cross) {
          const key = crossKey(readers.map((r) => r(i)));
          if (key !== null) add(out, base, key);
        } else {
          readers.forEach((r, j) => {
            const k = r(i);
            if (k !== null) add(out, base, `${spec.columns[j]}=${k}`);
          });
        }
      }
    },
    fillRow(row, _derived, out, offset) {
      out.fill(0, offset, offset + buckets);
      if (cross) {
        const key = crossKey(spec.columns.map((c) => rowKey(row, c)));
        if (key !== null) add(out, offset, key);
      } else {
        for (const c of spec.columns) {
          const k = rowKey(row, c);
          if (k !== null) add(out, offset, `${c}=${k}`);
        }
      }
    },
  };
}
