import { createHash } from 'node:crypto';
import { ValidationError } from '@modelship/core';
import { Table } from '@modelship/core';

/**
 * A sha256 (hex) over a canonical encoding of a table: the column names and kinds in order, then
 * every row's values — numbers in JavaScript's shortest round-trip form (`41.0` and `41` agree,
 * `-0` is `0`), strings length-prefixed, missing values as an explicit marker. It depends on the
 * data only, never on how a CSV was written (CRLF or LF, quoted or not, BOM or not) nor on the
 * order of a categorical dictionary.
 *
 * @example
 * ```ts
 * fingerprint(readCsv('a.csv')) === fingerprint(readCsv('a-crlf.csv')); // true
 * ```
 */
export function fingerprint(table: Table): string {
  if (!(table instanceof Table)) {
    throw new ValidationError(
      'INVALID_INPUT',
      `fingerprint: table: expected a Table, got ${table === null ? 'null' : typeof table}`,
      { operation: 'fingerprint', details: { field: 'table' } },
    );
  }
  const hash = createHash('sha256');
  const cols = table.columns();
  let buf = `modelship-table-v1\n${cols.length}\n`;
  for (const c of cols) buf += `${c.kind}:${c.name.length}:${c.name}\n`;
  buf += `${table.numRows}\n`;
  for (let i = 0; i < table.numRows; i++) {
    for (const c of cols) {
      if (c.kind === 'numeric') {
        const v = c.values[i]!;
        buf += Number.isNaN(v) ? 'M|' : `N${v === 0 ? '0' : String(v)}|`;
      } else {
        const code = c.codes[i]!;
        if (code < 0) buf += 'M|';
        else {
          const s = c.dictionary[code]!;
          buf += `S${s.length}:${s}|`;
        }
      }
    }
    buf += '\n';
    if (buf.length > 1 << 16) {
      hash.update(buf, 'utf8');
      buf = '';
    }
  }
  hash.update(buf, 'utf8');
  return hash.digest('hex');
}
