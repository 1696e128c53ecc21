// The YAML a person pastes into a migration's spec to settle a decision: always valid YAML, with the
// quoting the `yaml` package decides, under the migration's `columns:` key.

import { stringify } from 'yaml';

/** `columns:\n  active: { expr: is_active <> 0 }\n` for the given column and value. */
export function columnYaml(column: string, value: Record<string, string | boolean>): string {
  // One flow mapping per column reads best in a spec; the yaml package quotes what needs quoting.
  const inner = stringify(value, { lineWidth: 0, collectionStyle: 'flow' }).trim();
  const key = stringify({ [column]: null }, { lineWidth: 0 }).replace(/: null\n$/, '');
  return `columns:\n  ${key}: ${inner}\n`;
}
