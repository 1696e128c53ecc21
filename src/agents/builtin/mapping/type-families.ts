// Column types grouped into families whose values copy into each other, with the integer widths and
// character lengths needed to tell a safe copy from one that may lose information.

import type { ColumnView } from './catalog-view.js';

export type TypeFamily =
  | 'integer'
  | 'numeric'
  | 'float'
  | 'text'
  | 'boolean'
  | 'date'
  | 'timestamp'
  | 'timestamptz'
  | 'time'
  | 'uuid'
  | 'json'
  | 'binary'
  | 'other';

/** PostgreSQL's internal names and MySQL's, so both sources read the same. */
const FAMILIES: Readonly<Record<string, TypeFamily>> = {
  int2: 'integer',
  int4: 'integer',
  int8: 'integer',
  smallint: 'integer',
  integer: 'integer',
  int: 'integer',
  bigint: 'integer',
  tinyint: 'integer',
  mediumint: 'integer',
  numeric: 'numeric',
  decimal: 'numeric',
  float4: 'float',
  float8: 'float',
  real: 'float',
  float: 'float',
  double: 'float',
  text: 'text',
  varchar: 'text',
  bpchar: 'text',
  char: 'text',
  citext: 'text',
  name: 'text',
  tinytext: 'text',
  mediumtext: 'text',
  longtext: 'text',
  bool: 'boolean',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'timestamp',
  datetime: 'timestamp',
  timestamptz: 'timestamptz',
  time: 'time',
  timetz: 'time',
  uuid: 'uuid',
  json: 'json',
  jsonb: 'json',
  year: 'integer',
  enum: 'text',
  set: 'text',
  bytea: 'binary',
  binary: 'binary',
  varbinary: 'binary',
  tinyblob: 'binary',
  blob: 'binary',
  mediumblob: 'binary',
  longblob: 'binary',
};

/** Bits of each integer type, for narrowing checks and the digits an integer needs. */
const INTEGER_BITS: Readonly<Record<string, number>> = {
  tinyint: 8,
  int2: 16,
  smallint: 16,
  mediumint: 24,
  year: 16,
  int4: 32,
  int: 32,
  integer: 32,
  int8: 64,
  bigint: 64,
};

const INTEGER_NAMES: Readonly<Record<number, string>> = {
  8: 'tinyint',
  16: 'smallint',
  24: 'mediumint',
  32: 'integer',
  64: 'bigint',
};

export function typeFamily(column: ColumnView): TypeFamily {
  if (column.baseType.endsWith('[]')) return 'other';
  // PostgreSQL prints its zone-less type as `timestamp without time zone`; MySQL's TIMESTAMP is an
  // instant (stored in UTC), which is what PostgreSQL calls timestamptz.
  if (column.baseType === 'timestamp' && !column.type.includes('time zone')) return 'timestamptz';
  return FAMILIES[column.baseType.toLowerCase()] ?? 'other';
}

/** The bits a signed integer needs to hold the column's range: an UNSIGNED INT needs 33. */
export function integerBits(column: ColumnView): number | undefined {
  const bits = INTEGER_BITS[column.baseType.toLowerCase()];
  return bits !== undefined && column.unsigned ? bits + 1 : bits;
}

/** The SQL name of an integer type of that many bits (`integer` for 32). */
export function integerTypeName(bits: number): string {
  return INTEGER_NAMES[bits] ?? 'bigint';
}

/** Decimal digits the largest value of an integer type has (32 bits: 10). */
export function integerDigits(bits: number): number {
  return String(2n ** BigInt(bits - 1)).length;
}

export function isTemporal(family: TypeFamily): boolean {
  return family === 'date' || family === 'timestamp' || family === 'timestamptz' || family === 'time';
}

export function isNumber(family: TypeFamily): boolean {
  return family === 'integer' || family === 'numeric' || family === 'float';
}

/** Digits before the decimal point a column holds, when its type bounds them. */
export function integerPartDigits(column: ColumnView): number | undefined {
  const bits = integerBits(column);
  if (bits !== undefined) return integerDigits(bits);
  if (typeFamily(column) !== 'numeric' || column.precision === undefined) return undefined;
  return column.precision - (column.scale ?? 0);
}
