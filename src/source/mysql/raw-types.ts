// The PostgreSQL type a MySQL column's values are staged in on the target before the mapping's
// expressions run over them: wide enough for every value the MySQL type holds (unsigned ranges
// included), so nothing is cut or wrapped on the way in; a narrower target type is the mapping's
// decision, made where a value that does not fit fails loudly.

import type { CatalogColumn } from '../../catalog/types.js';

/** A staging type: as PostgreSQL prints it (format_type) and by its internal name. */
export interface RawType {
  readonly type: string;
  readonly baseType: string;
  /** A numeric's declared digits and scale. */
  readonly precision?: number;
  readonly scale?: number;
}

const SMALLINT: RawType = { type: 'smallint', baseType: 'int2' };
const INTEGER: RawType = { type: 'integer', baseType: 'int4' };
const BIGINT: RawType = { type: 'bigint', baseType: 'int8' };
const TEXT: RawType = { type: 'text', baseType: 'text' };

const SIGNED_INTEGERS: Readonly<Record<string, RawType>> = {
  tinyint: SMALLINT,
  smallint: SMALLINT,
  mediumint: INTEGER,
  int: INTEGER,
  integer: INTEGER,
  bigint: BIGINT,
};

/** Unsigned ranges need the next wider type: an INT UNSIGNED reaches 4294967295. */
const UNSIGNED_INTEGERS: Readonly<Record<string, RawType>> = {
  tinyint: SMALLINT,
  smallint: INTEGER,
  mediumint: INTEGER,
  int: BIGINT,
  integer: BIGINT,
  bigint: { type: 'numeric(20,0)', baseType: 'numeric', precision: 20, scale: 0 },
};

const TEXT_TYPES = new Set([
  'char',
  'varchar',
  'tinytext',
  'text',
  'mediumtext',
  'longtext',
  'enum',
  'set',
  'json',
]);
const BINARY_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob']);

const OTHER_TYPES: Readonly<Record<string, RawType>> = {
  float: { type: 'real', baseType: 'float4' },
  double: { type: 'double precision', baseType: 'float8' },
  real: { type: 'double precision', baseType: 'float8' },
  date: { type: 'date', baseType: 'date' },
  datetime: { type: 'timestamp without time zone', baseType: 'timestamp' },
  // TIMESTAMP is stored in UTC; the reader prints it in UTC with the offset, so the instant is kept.
  timestamp: { type: 'timestamp with time zone', baseType: 'timestamptz' },
  // TIME spans -838:59:59 to 838:59:59, which only an interval holds.
  time: { type: 'interval', baseType: 'interval' },
  year: SMALLINT,
};

/** The staging type of a MySQL column, or undefined when ferry cannot move the type (spatial types). */
export function rawColumnType(column: CatalogColumn): RawType | undefined {
  const base = column.baseType;
  const integer = (column.unsigned ? UNSIGNED_INTEGERS : SIGNED_INTEGERS)[base];
  if (integer !== undefined) return integer;
  if (base === 'decimal' || base === 'numeric') {
    if (column.precision === undefined) return { type: 'numeric', baseType: 'numeric' };
    const scale = column.scale ?? 0;
    return {
      type: `numeric(${column.precision},${scale})`,
      baseType: 'numeric',
      precision: column.precision,
      scale,
    };
  }
  if (base === 'bit') return { type: `bit(${column.maxLength ?? 1})`, baseType: 'bit' };
  if (TEXT_TYPES.has(base)) return TEXT;
  if (BINARY_TYPES.has(base)) return { type: 'bytea', baseType: 'bytea' };
  return OTHER_TYPES[base];
}
