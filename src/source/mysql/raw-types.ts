// The PostgreSQL type a MySQL column's values are staged in on the target before the mapping's
// expressions run over them: wide enough for every value the MySQL type holds (unsigned ranges
// included), so nothing is cut or wrapped on the way in; a narrower target type is the mapping's
// decision, made where a value that does not fit fails loudly.

import type { CatalogColumn } from '../../catalog/types.js';

const SIGNED_INTEGERS: Readonly<Record<string, string>> = {
  tinyint: 'smallint',
  smallint: 'smallint',
  mediumint: 'integer',
  int: 'integer',
  integer: 'integer',
  bigint: 'bigint',
};

/** Unsigned ranges need the next wider type: an INT UNSIGNED reaches 4294967295. */
const UNSIGNED_INTEGERS: Readonly<Record<string, string>> = {
  tinyint: 'smallint',
  smallint: 'integer',
  mediumint: 'integer',
  int: 'bigint',
  integer: 'bigint',
  bigint: 'numeric(20,0)',
};

const TEXT_TYPES = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set']);
const BINARY_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob']);

/** The staging type of a MySQL column, or undefined when ferry cannot move the type (spatial types). */
export function rawColumnType(column: CatalogColumn): string | undefined {
  const base = column.baseType;
  const integer = (column.unsigned ? UNSIGNED_INTEGERS : SIGNED_INTEGERS)[base];
  if (integer !== undefined) return integer;
  if (base === 'decimal' || base === 'numeric')
    return column.precision === undefined ? 'numeric' : `numeric(${column.precision},${column.scale ?? 0})`;
  if (base === 'float') return 'real';
  if (base === 'double' || base === 'real') return 'double precision';
  if (base === 'bit') return `bit(${column.maxLength ?? 1})`;
  if (TEXT_TYPES.has(base)) return 'text';
  if (BINARY_TYPES.has(base)) return 'bytea';
  if (base === 'json') return 'text';
  if (base === 'date') return 'date';
  if (base === 'datetime') return 'timestamp';
  // TIMESTAMP is stored in UTC; the reader prints it in UTC with the offset, so the instant is kept.
  if (base === 'timestamp') return 'timestamptz';
  // TIME spans -838:59:59 to 838:59:59, which only an interval holds.
  if (base === 'time') return 'interval';
  if (base === 'year') return 'smallint';
  return undefined;
}
