// Spec expressions a reader may compute while it reads, because its engine gives exactly the value
// PostgreSQL would (the way postgres_fdw ships only expressions it knows the remote evaluates alike).
// A migration whose every value is a plain column or such an expression is copied straight into the
// target (see pass-through.ts) instead of being staged and rewritten by an INSERT … SELECT.
//
// The forms are few on purpose, each exact on both engines for every input:
// - comparisons of integer columns and integer constants, IS [NOT] NULL, AND, OR, NOT, into a boolean
//   column: three-valued logic is the same, and `1`/`0` read as true/false;
// - an integer column divided by a power of ten written with a point (`amount_cents / 100.0`), into a
//   numeric(p,s) column small enough that PostgreSQL's quotient is exact too: both give the exact
//   decimal, which the column's input rounds as the cast would;
// - a column cast to exactly the type of its target column (`id::bigint`, the fix plan suggests for
//   an unsigned key), which the column's input converts and range-checks as the cast does.
// A value that fails to load (out of range, say) is not a difference: the batch is then staged and
// loaded by PostgreSQL's own evaluation, which names the rows at fault.

import { parseSync } from 'libpg-query';
import type { CatalogColumn, CatalogTable } from '../catalog/types.js';
import type { ShippedValue } from '../source/reader.js';
import { embedExpression } from '../spec/expression.js';

const INTEGER_TYPES = new Set(['int2', 'int4', 'int8']);
const COMPARISONS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);
/** Casts shipped as the bare column: the target's input reads the column's text as the cast would. */
const CAST_TYPES = new Set(['int2', 'int4', 'int8', 'text']);
/** PostgreSQL keeps at least 16 significant digits in a quotient; one spare for its estimate. */
const EXACT_QUOTIENT_DIGITS = 15;
/** Integer constants a comparison may ship: MySQL compares them with any integer column exactly. */
const LARGEST_CONSTANT = 2 ** 31 - 1;

type Node = Record<string, unknown>;

function isIntegerColumn(column: CatalogColumn | undefined): boolean {
  if (!column) return false;
  return INTEGER_TYPES.has(column.baseType) || (column.baseType === 'numeric' && column.scale === 0);
}

/** The parsed tree of one expression; undefined when the parser refuses it (checked elsewhere). */
function parseExpression(text: string): Node | undefined {
  try {
    const tree = parseSync(`SELECT ${embedExpression(text)}`) as {
      stmts?: Array<{ stmt?: { SelectStmt?: { targetList?: Array<{ ResTarget?: { val?: Node } }> } } }>;
    };
    return tree.stmts?.[0]?.stmt?.SelectStmt?.targetList?.[0]?.ResTarget?.val;
  } catch {
    return undefined;
  }
}

/** The source column a one-part column reference names. */
function columnOf(node: Node | undefined, table: CatalogTable): CatalogColumn | undefined {
  const ref = node?.ColumnRef as { fields?: Array<{ String?: { sval?: string } }> } | undefined;
  if (ref?.fields?.length !== 1) return undefined;
  const name = ref.fields[0]?.String?.sval;
  return name === undefined ? undefined : table.columns.find((c) => c.name === name);
}

function names(list: unknown): string[] {
  return ((list as Array<{ String?: { sval?: string } }> | undefined) ?? []).map((n) => n.String?.sval ?? '');
}

/** An integer column or a small non-negative integer constant. */
function integerOperand(node: Node | undefined, table: CatalogTable): ShippedValue | undefined {
  const constant = node?.A_Const as { ival?: { ival?: number }; isnull?: boolean } | undefined;
  if (constant?.ival !== undefined) {
    const value = constant.ival.ival ?? 0;
    return value >= 0 && value <= LARGEST_CONSTANT ? { kind: 'integer', value: String(value) } : undefined;
  }
  const column = columnOf(node, table);
  return column && isIntegerColumn(column) ? { kind: 'column', name: column.name } : undefined;
}

/** A boolean-valued form, or undefined. */
function predicate(node: Node | undefined, table: CatalogTable): ShippedValue | undefined {
  if (!node) return undefined;
  const operation = node.A_Expr as { kind?: string; name?: unknown; lexpr?: Node; rexpr?: Node } | undefined;
  if (operation) {
    const [op] = names(operation.name);
    if (operation.kind !== 'AEXPR_OP' || op === undefined || !COMPARISONS.has(op)) return undefined;
    const left = integerOperand(operation.lexpr, table);
    const right = integerOperand(operation.rexpr, table);
    if (!left || !right) return undefined;
    return { kind: 'compare', op: op === '!=' ? '<>' : (op as '=' | '<>'), left, right };
  }
  const test = node.NullTest as { arg?: Node; nulltesttype?: string } | undefined;
  if (test) {
    // Integer and text columns only: a MySQL zero date is a value there but NULL once read.
    const column = columnOf(test.arg, table);
    if (!column || !(isIntegerColumn(column) || column.baseType === 'text')) return undefined;
    return {
      kind: 'is-null',
      negated: test.nulltesttype === 'IS_NOT_NULL',
      arg: { kind: 'column', name: column.name },
    };
  }
  const logic = node.BoolExpr as { boolop?: string; args?: Node[] } | undefined;
  if (logic) {
    const args = (logic.args ?? []).map((arg) => predicate(arg, table));
    if (args.length === 0 || args.some((arg) => arg === undefined)) return undefined;
    const op = logic.boolop === 'AND_EXPR' ? 'and' : logic.boolop === 'OR_EXPR' ? 'or' : 'not';
    return { kind: 'logic', op, args: args as ShippedValue[] };
  }
  return undefined;
}

/** `column / 1000.0`: the decimal digits the point moves, or undefined. */
function pointShift(node: Node, table: CatalogTable, target: CatalogColumn): ShippedValue | undefined {
  const operation = node.A_Expr as { kind?: string; name?: unknown; lexpr?: Node; rexpr?: Node } | undefined;
  if (operation?.kind !== 'AEXPR_OP' || names(operation.name).join('.') !== '/') return undefined;
  const column = columnOf(operation.lexpr, table);
  const divisor = (operation.rexpr?.A_Const as { fval?: { fval?: string } } | undefined)?.fval?.fval;
  const power = divisor === undefined ? null : /^1(0+)\.0*$/.exec(divisor);
  if (!column || !isIntegerColumn(column) || !power?.[1]) return undefined;
  const digits = power[1].length;
  const { precision, scale } = target;
  if (target.baseType !== 'numeric' || precision === undefined || scale === undefined) return undefined;
  if (precision - scale + digits > EXACT_QUOTIENT_DIGITS) return undefined;
  return { kind: 'point-shift', column: column.name, digits };
}

/** `column::type`, where the type is the target column's own. */
function sameTypeCast(
  node: Node,
  table: CatalogTable,
  target: CatalogColumn,
  readsAlike: (staged: CatalogColumn, target: CatalogColumn) => boolean,
): ShippedValue | undefined {
  const cast = node.TypeCast as { arg?: Node; typeName?: { names?: unknown; typmods?: unknown } } | undefined;
  if (!cast?.typeName || cast.typeName.typmods !== undefined) return undefined;
  const type = names(cast.typeName.names).at(-1);
  const column = columnOf(cast.arg, table);
  if (!column || type !== target.baseType || !CAST_TYPES.has(type) || target.type !== canonical(type))
    return undefined;
  return readsAlike(column, target) ? { kind: 'column', name: column.name } : undefined;
}

/** The name format_type gives the types CAST_TYPES holds, without a modifier. */
function canonical(baseType: string): string {
  return { int2: 'smallint', int4: 'integer', int8: 'bigint', text: 'text' }[baseType] ?? baseType;
}

/**
 * The value `expr` (over the staged source table's columns) computes, in a form a reader may ship to
 * its engine, when the result written into `target` is exactly PostgreSQL's for every row; undefined
 * otherwise. The expression parser must be loaded (spec loading does so).
 *
 * @example
 * shippedExpression('is_active <> 0', staged, booleanColumn);
 * // → { kind: 'compare', op: '<>', left: { kind: 'column', name: 'is_active' }, right: { kind: 'integer', value: '0' } }
 */
export function shippedExpression(
  expr: string,
  table: CatalogTable,
  target: CatalogColumn,
  readsAlike: (staged: CatalogColumn, target: CatalogColumn) => boolean,
): ShippedValue | undefined {
  const node = parseExpression(expr);
  if (!node) return undefined;
  if (target.baseType === 'bool') return predicate(node, table);
  return pointShift(node, table, target) ?? sameTypeCast(node, table, target, readsAlike);
}
