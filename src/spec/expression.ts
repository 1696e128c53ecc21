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
  return explainEscape(text) ?? explainWriteInside(targets[0]);
}

/** A function name no expression can reach: the text comes after it. */
const PROBE_FUNCTION = 'ferry_parenthesis_probe';

/** Parts of a function call that plain parentheses do not allow, so the text did not put them there. */
const CALL_EXTRAS = [
  'agg_order',
  'agg_filter',
  'agg_within_group',
  'over',
  'agg_star',
  'agg_distinct',
  'func_variadic',
];

/**
 * `x = 1) OR (true` is one expression inside ferry's parentheses, `(x = 1) OR (true)`, but spliced
 * after `key > 10 AND ` it would OR away the key range. The same text inside a call,
 * `probe(\n<text>\n)`, must be that call with the whole text as its one argument: when the text
 * closes the opening parenthesis early, the call ends there and something else is the top node.
 * `a, b` (a row in plain parentheses) shows up here as a call with two arguments.
 */
function explainEscape(text: string): string | undefined {
  const escapes = 'must be one expression; it closes the parenthesis ferry puts around it';
  let tree: { stmts?: Array<{ stmt?: { SelectStmt?: { targetList?: unknown[] } } }> };
  try {
    tree = parseSync(`SELECT ${PROBE_FUNCTION}${embedExpression(text)}`) as typeof tree;
  } catch {
    return escapes;
  }
  const targets = tree.stmts?.length === 1 ? (tree.stmts[0]?.stmt?.SelectStmt?.targetList ?? []) : [];
  const call = (targets.length === 1 ? targets[0] : undefined) as
    | { ResTarget?: { val?: { FuncCall?: Record<string, unknown> } } }
    | undefined;
  const funcCall = call?.ResTarget?.val?.FuncCall;
  const name = funcCall?.funcname as Array<{ String?: { sval?: string } }> | undefined;
  if (!funcCall || name?.length !== 1 || name[0]?.String?.sval !== PROBE_FUNCTION) return escapes;
  const args = (funcCall.args as Array<Record<string, unknown>> | undefined) ?? [];
  if (args.length > 1) return 'must be one expression, not a list';
  const extra = CALL_EXTRAS.some((key) => funcCall[key] !== undefined && funcCall[key] !== false);
  if (args.length !== 1 || 'NamedArgExpr' in (args[0] ?? {}) || extra) return escapes;
  return undefined;
}

/** Statements that change data; PostgreSQL allows them in a subquery only as a WITH clause. */
const WRITING_STATEMENTS: Readonly<Record<string, string>> = {
  InsertStmt: 'an INSERT',
  UpdateStmt: 'an UPDATE',
  DeleteStmt: 'a DELETE',
  MergeStmt: 'a MERGE',
};

/**
 * An expression reads: a subquery that writes (`(WITH d AS (DELETE …) SELECT …)`), creates a table
 * (`SELECT … INTO`) or locks rows (`FOR UPDATE`) is refused here, before any server is asked. The
 * tree is walked without recursion: nesting is as deep as the text makes it.
 */
function explainWriteInside(tree: unknown): string | undefined {
  const pending: unknown[] = [tree];
  while (pending.length > 0) {
    const node = pending.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      pending.push(...node);
      continue;
    }
    for (const [key, value] of Object.entries(node)) {
      const statement = WRITING_STATEMENTS[key];
      if (statement) return `must only read; it contains ${statement}`;
      if (key === 'intoClause') return 'must only read; it contains SELECT … INTO';
      if (key === 'lockingClause') return 'must only read; it locks rows (FOR UPDATE or FOR SHARE)';
      pending.push(value);
    }
  }
  return undefined;
}

/** An `expr` or `where` that reached ferry some other way than a spec: a lockfile, an agent, a plan file. */
export interface NamedExpression {
  /** Where it was found, for the message: `migrations.orders.columns.amount.expr`. */
  readonly subject: string;
  readonly text: string;
}

/**
 * The first of `expressions` that is not exactly one scalar expression, with why; undefined when all
 * are. Specs are checked when they load; whatever else ferry would splice into SQL passes here first.
 *
 * @example
 * const bad = await findInvalidExpression([{ subject: 'columns.total.expr', text: '1); DROP TABLE x; --' }]);
 * // → { subject: 'columns.total.expr', problem: 'not valid SQL at character 2: …' }
 */
export async function findInvalidExpression(
  expressions: Iterable<NamedExpression>,
): Promise<{ readonly subject: string; readonly problem: string } | undefined> {
  await loadExpressionParser();
  for (const { subject, text } of expressions) {
    const problem = explainInvalidExpression(text);
    if (problem !== undefined) return { subject, problem };
  }
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
