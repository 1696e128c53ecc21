// Runs the SQL expression check over every `expr` and `where` of a migration document, whether or not
// the rest of the document is valid, so one run reports every problem.

import { type Diagnostic, errorDiagnostic } from '../errors.js';
import { explainInvalidExpression } from './expression.js';
import type { PathSegment, SpecDocument } from './yaml-documents.js';

/** Call `loadExpressionParser()` first. */
export function checkMigrationExpressions(
  document: SpecDocument,
  data: Record<string, unknown>,
): Diagnostic[] {
  const expressions: Array<{ path: PathSegment[]; text: string }> = [];
  if (typeof data.where === 'string') expressions.push({ path: ['where'], text: data.where });
  const columns = data.columns;
  if (columns !== null && typeof columns === 'object' && !Array.isArray(columns)) {
    for (const [name, column] of Object.entries(columns)) {
      const expr = (column as { expr?: unknown } | null)?.expr;
      if (typeof expr === 'string') expressions.push({ path: ['columns', name, 'expr'], text: expr });
    }
  }
  return expressions.flatMap(({ path, text }) => {
    const problem = explainInvalidExpression(text);
    if (!problem) return [];
    return [
      errorDiagnostic('spec.expression', `\`${path.join('.')}\` ${problem}`, {
        hint:
          path[0] === 'where'
            ? 'write one boolean SQL expression over source columns, e.g. "deleted_at is null"'
            : 'write one SQL scalar expression over source columns, e.g. "amount_cents / 100.0"',
        location: document.locate(path),
      }),
    ];
  });
}
