// The values a target column's CHECK constraint allows (`status IN ('active', 'on_leave')`), so that
// a legacy code column too short to hold any of them is recognised as needing a translation.

import type { TableView } from './catalog-view.js';

const IDENTIFIER = /"((?:[^"]|"")+)"|\b([A-Za-z_][A-Za-z0-9_$]*)\b/g;
const STRING_LITERAL = /'((?:[^']|'')*)'/g;

/** Identifiers an expression mentions outside its string literals (type names included). */
function identifiersOf(expression: string): Set<string> {
  const withoutLiterals = expression.replace(STRING_LITERAL, "''");
  const names = new Set<string>();
  for (const match of withoutLiterals.matchAll(IDENTIFIER)) {
    const quoted = match[1];
    names.add(quoted === undefined ? (match[2] as string) : quoted.replaceAll('""', '"'));
  }
  return names;
}

/**
 * The literal values a CHECK constraint on this column alone allows, as the server prints such a
 * constraint (`CHECK ((status = ANY (ARRAY['new'::text, 'paid'::text])))`); undefined when none does.
 */
export function allowedValues(table: TableView, column: string): readonly string[] | undefined {
  const otherColumns = new Set(table.columns.map((c) => c.name).filter((name) => name !== column));
  for (const check of table.checks) {
    const names = identifiersOf(check.expression);
    if (!names.has(column) || [...names].some((name) => otherColumns.has(name))) continue;
    if (!/=\s*ANY\s*\(|\bIN\s*\(/i.test(check.expression)) continue;
    const values = [...check.expression.matchAll(STRING_LITERAL)].map((m) =>
      (m[1] as string).replaceAll("''", "'"),
    );
    if (values.length > 0) return [...new Set(values)];
  }
  return undefined;
}
