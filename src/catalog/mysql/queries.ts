// The information_schema queries behind MySQL and MariaDB introspection: one per object kind over every
// table in scope at once, so the number of round trips never grows with the schema. They use only
// columns that MySQL 5.7+ and MariaDB 10.3+ both have; CHECK constraints are read where the server
// lists them (MySQL 8.0.16+, MariaDB 10.3.10+).

/** A MySQL database is a schema: these are the server's own and never read. */
export const SYSTEM_DATABASES: readonly string[] = [
  'mysql',
  'information_schema',
  'performance_schema',
  'sys',
];

export const SERVER_QUERY = 'SELECT VERSION() AS version, @@version_comment AS comment';

export interface ServerRow {
  readonly version: string;
  readonly comment: string | null;
}

/** `?` placeholders: the schemas never read, then (when given) the only schemas to read. */
export function scopeCondition(alias: string, schemas: readonly string[] | undefined): string {
  const only = schemas?.length ? ` AND ${alias}.TABLE_SCHEMA IN (?)` : '';
  return `${alias}.TABLE_SCHEMA NOT IN (?)${only}`;
}

export const TABLES_QUERY = (scope: string) => `
SELECT t.TABLE_SCHEMA AS schema_name, t.TABLE_NAME AS table_name, t.TABLE_ROWS AS table_rows,
       t.AVG_ROW_LENGTH AS average_row_length, t.AUTO_INCREMENT AS auto_increment
FROM information_schema.TABLES t
WHERE t.TABLE_TYPE = 'BASE TABLE' AND ${scope}
ORDER BY t.TABLE_SCHEMA, t.TABLE_NAME`;

export interface TableRow {
  readonly schema_name: string;
  readonly table_name: string;
  readonly table_rows: string | number | null;
  readonly average_row_length: string | number | null;
  readonly auto_increment: string | number | null;
}

export const COLUMNS_QUERY = (scope: string) => `
SELECT c.TABLE_SCHEMA AS schema_name, c.TABLE_NAME AS table_name, c.COLUMN_NAME AS column_name,
       c.ORDINAL_POSITION AS ordinal, c.COLUMN_DEFAULT AS column_default, c.IS_NULLABLE AS is_nullable,
       c.DATA_TYPE AS data_type, c.COLUMN_TYPE AS column_type, c.EXTRA AS extra,
       c.GENERATION_EXPRESSION AS generation_expression, c.CHARACTER_SET_NAME AS charset,
       c.CHARACTER_MAXIMUM_LENGTH AS max_length, c.NUMERIC_PRECISION AS numeric_precision,
       c.NUMERIC_SCALE AS numeric_scale, c.DATETIME_PRECISION AS datetime_precision
FROM information_schema.COLUMNS c
JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
WHERE t.TABLE_TYPE = 'BASE TABLE' AND ${scope}
ORDER BY c.TABLE_SCHEMA, c.TABLE_NAME, c.ORDINAL_POSITION`;

export interface ColumnRow {
  readonly schema_name: string;
  readonly table_name: string;
  readonly column_name: string;
  readonly ordinal: number;
  readonly column_default: string | null;
  readonly is_nullable: string;
  readonly data_type: string;
  readonly column_type: string;
  readonly extra: string;
  readonly generation_expression: string | null;
  readonly charset: string | null;
  readonly max_length: string | number | null;
  readonly numeric_precision: string | number | null;
  readonly numeric_scale: string | number | null;
  readonly datetime_precision: string | number | null;
}

/**
 * Every column of every unique index, the primary key's included. An index with a prefix part
 * (SUB_PART) or an expression part (no COLUMN_NAME) does not make its columns unique.
 */
export const UNIQUE_INDEXES_QUERY = (scope: string) => `
SELECT s.TABLE_SCHEMA AS schema_name, s.TABLE_NAME AS table_name, s.INDEX_NAME AS index_name,
       s.SEQ_IN_INDEX AS position, s.COLUMN_NAME AS column_name, s.SUB_PART AS sub_part
FROM information_schema.STATISTICS s
WHERE s.NON_UNIQUE = 0 AND ${scope}
ORDER BY s.TABLE_SCHEMA, s.TABLE_NAME, s.INDEX_NAME, s.SEQ_IN_INDEX`;

export interface UniqueIndexRow {
  readonly schema_name: string;
  readonly table_name: string;
  readonly index_name: string;
  readonly position: number;
  readonly column_name: string | null;
  readonly sub_part: string | number | null;
}

export const FOREIGN_KEYS_QUERY = (scope: string) => `
SELECT k.TABLE_SCHEMA AS schema_name, k.TABLE_NAME AS table_name, k.CONSTRAINT_NAME AS constraint_name,
       k.ORDINAL_POSITION AS position, k.COLUMN_NAME AS column_name,
       k.REFERENCED_TABLE_SCHEMA AS referenced_schema, k.REFERENCED_TABLE_NAME AS referenced_table,
       k.REFERENCED_COLUMN_NAME AS referenced_column, r.DELETE_RULE AS delete_rule
FROM information_schema.KEY_COLUMN_USAGE k
JOIN information_schema.REFERENTIAL_CONSTRAINTS r
  ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
 AND r.TABLE_NAME = k.TABLE_NAME
WHERE k.REFERENCED_TABLE_NAME IS NOT NULL AND ${scope}
ORDER BY k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`;

export interface ForeignKeyRow {
  readonly schema_name: string;
  readonly table_name: string;
  readonly constraint_name: string;
  readonly position: number;
  readonly column_name: string;
  readonly referenced_schema: string;
  readonly referenced_table: string;
  readonly referenced_column: string;
  readonly delete_rule: string;
}

/**
 * MariaDB names checks per table (`CONSTRAINT_1` in many tables) and says which table in
 * CHECK_CONSTRAINTS; MySQL names them per schema and has no such column.
 */
export const CHECKS_QUERY = (scope: string, mariadb: boolean) => `
SELECT t.TABLE_SCHEMA AS schema_name, t.TABLE_NAME AS table_name, t.CONSTRAINT_NAME AS constraint_name,
       c.CHECK_CLAUSE AS check_clause
FROM information_schema.TABLE_CONSTRAINTS t
JOIN information_schema.CHECK_CONSTRAINTS c
  ON c.CONSTRAINT_SCHEMA = t.CONSTRAINT_SCHEMA AND c.CONSTRAINT_NAME = t.CONSTRAINT_NAME
 ${mariadb ? 'AND c.TABLE_NAME = t.TABLE_NAME' : ''}
WHERE t.CONSTRAINT_TYPE = 'CHECK' AND ${scope}
ORDER BY t.TABLE_SCHEMA, t.TABLE_NAME, t.CONSTRAINT_NAME`;

export interface CheckRow {
  readonly schema_name: string;
  readonly table_name: string;
  readonly constraint_name: string;
  readonly check_clause: string;
}
