// The YAML a person pastes into a migration's spec: always valid YAML, with the quoting the `yaml`
// package decides. Decisions, warnings and drafted specs all write columns through here.

import { stringify } from 'yaml';

/** `active: { expr: is_active <> 0 }`: one column of a migration's `columns`, on one line. */
export function columnEntry(column: string, value: Record<string, string | boolean>): string {
  // One flow mapping per column reads best in a spec; the yaml package quotes what needs quoting.
  const inner = stringify(value, { lineWidth: 0, collectionStyle: 'flow' }).trim();
  const key = stringify({ [column]: null }, { lineWidth: 0 }).replace(/: null\n$/, '');
  return `${key}: ${inner}`;
}

/** `columns:\n  active: { expr: is_active <> 0 }\n`: the column under its migration's `columns:` key. */
export function columnYaml(column: string, value: Record<string, string | boolean>): string {
  return `columns:\n  ${columnEntry(column, value)}\n`;
}
