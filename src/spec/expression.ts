// `expr` and `where` are checked with PostgreSQL's own parser (libpg-query): each must be exactly one
// scalar expression. The check parses the very text ferry later splices, `(\n<text>\n)`, so a value
// that closes the parenthesis, adds a clause or a second statement is refused before anything runs.

import { loadModule, parseSync } from 'libpg-query';

let loaded: Promise<void> | undefined;

/** Loads the parser (a WebAssembly module) once; later checks are synchronous. */
export function loadExpressionParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

/** Wraps an expression exactly as generated SQL embeds it; a trailing `--` comment ends at the newline. */
export function embedExpression(text: string): string {
  return `(\n${text}\n)`;
}

const PREFIX = 'SELECT ';

/** Clauses that mean the text was more than one expression. */
const FORBIDDEN_CLAUSES = [
  'intoClause',
  'fromClause',
  'whereClause',
  'groupClause',
  'havingClause',
  'windowClause',
  'valuesClause',
  'sortClause',
  'limitOffset',
  'limitCount',
  'lockingClause',
  'withClause',
  'distinctClause',
] as const;

/**
 * Returns why `text` is not exactly one scalar expression, or undefined when it is.
 * Call `loadExpressionParser()` first.
 */
export function explainInvalidExpression(text: string): string | undefined {
  const sql = PREFIX + embedExpression(text);
  let tree: { stmts?: Array<{ stmt?: Record<string, unknown> }> };
  try {
    tree = parseSync(sql) as typeof tree;
  } catch (error) {
    const offset = errorOffset(error, PREFIX.length + 2); // the wrapper adds "(\n"
    if (offset === undefined || offset < text.length) return syntaxProblem(error, offset);
    return explainErrorAtEnd(text);
  }
  const statements = tree.stmts ?? [];
  if (statements.length !== 1) return 'must be one expression, not several statements';
  const select = statements[0]?.stmt?.SelectStmt as Record<string, unknown> | undefined;
  if (!select) return 'must be one expression';
  if (select.op !== 'SETOP_NONE')
    return `must be one expression; it adds a ${String(select.op).replace('SETOP_', '')}`;
  const targets = (select.targetList as Array<{ ResTarget?: { name?: string } }> | undefined) ?? [];
  if (targets.length !== 1) return 'must be one expression, not a list';
  if (targets[0]?.ResTarget?.name !== undefined) return 'must be one expression without an alias';
  const clause = FORBIDDEN_CLAUSES.find((name) => select[name] !== undefined);
  if (clause) return `must be one expression; it adds a ${clause.replace('Clause', '').toUpperCase()} clause`;
  return undefined;
}

/**
 * The wrapped text failed only at ferry's closing parenthesis. Parsing the bare text tells whether it
 * is incomplete (the error is at its end) or breaks out of the parenthesis (the error is inside it).
 */
function explainErrorAtEnd(text: string): string {
  try {
    parseSync(PREFIX + text);
  } catch (error) {
    const offset = errorOffset(error, PREFIX.length);
    if (offset !== undefined && offset < text.length) return syntaxProblem(error, offset);
    return 'not valid SQL: the expression is incomplete';
  }
  return 'must be one expression; it ends early (an unbalanced `)` or a statement after it)';
}

/** 0-based offset of a parse error within the text that followed `prefixLength` characters. */
function errorOffset(error: unknown, prefixLength: number): number | undefined {
  const cursor = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition;
  return cursor === undefined ? undefined : cursor - prefixLength;
}

function syntaxProblem(error: unknown, offset: number | undefined): string {
  const where = offset !== undefined && offset >= 0 ? ` at character ${offset + 1}` : '';
  return `not valid SQL${where}: ${(error as Error).message}`;
}
