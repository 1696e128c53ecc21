// The text a reviewer pastes: SQL identifiers quoted only where PostgreSQL needs it, and the YAML
// lines that go under a migration (`columns:` with one flow mapping per column).

import { columnYaml as sharedColumnYaml } from '../../../spec/column-yaml.js';

export { sqlIdentifier } from '../../../util/sql.js';

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
