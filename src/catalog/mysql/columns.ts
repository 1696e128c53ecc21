// Turns information_schema.COLUMNS rows into catalog columns. The type is kept as MySQL prints it
// (`int(10) unsigned`, `tinyint(1)`, `enum('open','closed')`) and what the mapping agent needs to
// propose a PostgreSQL type is lifted out of it: unsigned, ENUM/SET members, character set, lengths.

import type { CatalogColumn } from '../types.js';
import type { ColumnRow } from './queries.js';

const CHARACTER_TYPES = new Set(['char', 'varchar', 'binary', 'varbinary']);
const DECIMAL_TYPES = new Set(['decimal', 'numeric']);
const TIME_TYPES = new Set(['datetime', 'timestamp', 'time']);
const NUMERIC_TYPES = new Set([
  'tinyint',
  'smallint',
  'mediumint',
  'int',
  'integer',
  'bigint',
  'decimal',
  'numeric',
  'float',
  'double',
  'real',
  'bit',
  'year',
]);

export interface ColumnContext {
  /** MariaDB stores JSON as LONGTEXT with a `json_valid` check named after the column. */
  readonly jsonColumns: ReadonlySet<string>;
  readonly mariadb: boolean;
}

/** Maps one column row; `ordinal` is its 1-based position among the table's columns. */
export function catalogColumn(row: ColumnRow, ordinal: number, context: ColumnContext): CatalogColumn {
  const json = context.jsonColumns.has(row.column_name);
  const baseType = json ? 'json' : row.data_type.toLowerCase();
  const generated = /\bGENERATED\b/i.test(row.extra) && !/DEFAULT_GENERATED/i.test(row.extra);
  const defaultText = generated ? undefined : defaultExpression(row, context.mariadb);
  const members = baseType === 'enum' || baseType === 'set' ? memberList(row.column_type) : undefined;
  return {
    name: row.column_name,
    ordinal,
    type: json ? 'json' : row.column_type,
    baseType,
    nullable: row.is_nullable === 'YES',
    ...(defaultText === undefined ? {} : { default: defaultText }),
    // AUTO_INCREMENT hands out a value when none is written, as a PostgreSQL identity BY DEFAULT does.
    ...(/\bauto_increment\b/i.test(row.extra) ? { identity: 'by default' as const } : {}),
    serial: false,
    generated,
    ...(generated && row.generation_expression ? { generationExpression: row.generation_expression } : {}),
    ...sizeDetails(row, baseType),
    ...(/\bunsigned\b/i.test(row.column_type) ? { unsigned: true } : {}),
    ...(members === undefined ? {} : { members }),
    ...(row.charset && !json ? { charset: row.charset } : {}),
  };
}

function sizeDetails(
  row: ColumnRow,
  baseType: string,
): Pick<CatalogColumn, 'maxLength' | 'precision' | 'scale'> {
  if (CHARACTER_TYPES.has(baseType) && row.max_length !== null) return { maxLength: Number(row.max_length) };
  if (baseType === 'bit' && row.numeric_precision !== null)
    return { maxLength: Number(row.numeric_precision) };
  if (DECIMAL_TYPES.has(baseType) && row.numeric_precision !== null)
    return { precision: Number(row.numeric_precision), scale: Number(row.numeric_scale ?? 0) };
  if (TIME_TYPES.has(baseType) && row.datetime_precision !== null && Number(row.datetime_precision) > 0)
    return { precision: Number(row.datetime_precision) };
  return {};
}

/**
 * The default as SQL text on both engines. MariaDB already prints literals quoted and says `NULL` for
 * no default; MySQL prints literals bare and marks expressions with DEFAULT_GENERATED.
 */
function defaultExpression(row: ColumnRow, mariadb: boolean): string | undefined {
  const value = row.column_default;
  if (value === null) return undefined;
  if (mariadb) return value === 'NULL' ? undefined : value;
  if (/DEFAULT_GENERATED/i.test(row.extra)) return value;
  if (/^current_timestamp/i.test(value)) return value;
  if (NUMERIC_TYPES.has(row.data_type.toLowerCase())) return value;
  return `'${value.replaceAll("'", "''")}'`;
}

/** `enum('a','b''c')` → ['a', "b'c"]. */
export function memberList(columnType: string): string[] {
  const inner = columnType.slice(columnType.indexOf('(') + 1, columnType.lastIndexOf(')'));
  return [...inner.matchAll(/'((?:[^']|'')*)'/g)].map((match) => (match[1] as string).replaceAll("''", "'"));
}
