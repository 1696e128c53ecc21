// The text a reviewer pastes: SQL identifiers quoted only where PostgreSQL needs it, and the YAML
// lines that go under a migration (`columns:` with one flow mapping per column).

import { columnYaml as sharedColumnYaml } from '../../../compiler/column-yaml.js';

/** Words PostgreSQL reserves: a column named like one must be quoted in an expression. */
const RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate ' +
    'collation column concurrently constraint create cross current_catalog current_date current_role ' +
    'current_schema current_time current_timestamp current_user default deferrable desc distinct do else ' +
    'end except false fetch for foreign freeze from full grant group having ilike in initially inner ' +
    'intersect into is isnull join lateral leading left like limit localtime localtimestamp natural not ' +
    'notnull null offset on only or order outer overlaps placing primary references returning right ' +
    'select session_user similar some symmetric system_user table tablesample then to trailing true union ' +
    'unique user using variadic verbose when where window with'
  ).split(' '),
);

/** An identifier as it must appear in SQL: bare when it can be, double-quoted otherwise. */
export function sqlIdentifier(name: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name)) return name;
  return `"${name.replaceAll('"', '""')}"`;
}

export type ColumnSource =
  | { readonly from: string; readonly ref?: string }
  | { readonly expr: string }
  | { readonly omit: true };

/**
 * The exact YAML to paste under a migration for one column, in the one shape every agent and the
 * compiler write it.
 *
 * @example
 * columnYaml('active', { expr: 'is_active <> 0' }) // 'columns:\n  active: { expr: is_active <> 0 }\n'
 */
export function columnYaml(column: string, value: ColumnSource): string {
  return sharedColumnYaml(column, { ...value });
}

/** A number as a reviewer reads it in a message: two decimals at most. */
export function formatConfidence(value: number): string {
  return value.toFixed(2);
}
