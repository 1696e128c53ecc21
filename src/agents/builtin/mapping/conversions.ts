// How a source column's value becomes a target column's: a plain copy, an expression (cents, 0/1
// flags), a question for a person (how a text flag spells yes), or nothing that makes sense.

import type { ColumnView } from './catalog-view.js';
import { integerLoss, type Loss, lengthLoss, numericLoss } from './losses.js';
import { sqlIdentifier } from './snippets.js';
import {
  integerBits,
  integerDigits,
  isNumber,
  isTemporal,
  type TypeFamily,
  typeFamily,
} from './type-families.js';

export interface Choice {
  readonly label: string;
  readonly expr: string;
}

export type Conversion =
  | { readonly kind: 'copy'; readonly cost: number; readonly note: string; readonly loss?: Loss }
  | {
      readonly kind: 'expr';
      readonly cost: number;
      readonly expr: string;
      readonly note: string;
      readonly loss?: Loss;
    }
  | { readonly kind: 'ask'; readonly question: string; readonly choices: readonly Choice[] }
  | { readonly kind: 'incompatible'; readonly note: string };

export interface ConversionHints {
  /** The source holds cents and the target the amount. */
  readonly cents?: boolean;
  /** The source flag means the opposite of the target's. */
  readonly negate?: boolean;
}

function copy(cost: number, note: string, loss?: Loss): Conversion {
  return loss ? { kind: 'copy', cost, note, loss } : { kind: 'copy', cost, note };
}

function expression(cost: number, expr: string, note: string, loss?: Loss): Conversion {
  return loss ? { kind: 'expr', cost, expr, note, loss } : { kind: 'expr', cost, expr, note };
}

/** Decides how `source` fills `target`. */
export function convert(source: ColumnView, target: ColumnView, hints: ConversionHints = {}): Conversion {
  const from = typeFamily(source);
  const to = typeFamily(target);
  if (hints.cents) return convertCents(source, target);
  if (hints.negate) return convertOpposite(source, target);
  // The same type name means the same family, except MySQL's TIMESTAMP (an instant) against
  // PostgreSQL's zone-less timestamp.
  if (from === to && (from !== 'other' || source.baseType === target.baseType))
    return convertWithin(source, target);
  return convertAcross(source, target, from, to);
}

function convertWithin(source: ColumnView, target: ColumnView): Conversion {
  const note =
    source.type === target.type ? 'same type' : `compatible types (${source.type} → ${target.type})`;
  switch (typeFamily(target)) {
    case 'integer':
      return copy(0, note, integerLoss(source, target));
    case 'numeric':
      return copy(0, note, numericLoss(source, target, sqlIdentifier(source.name)));
    case 'text':
      return copy(0, `${note}${paddingNote(source, target)}`, lengthLoss(source, target));
    default:
      return copy(0, note);
  }
}

/** character(n) pads shorter values with blanks, and a copy into another text type keeps them. */
function paddingNote(source: ColumnView, target: ColumnView): string {
  if (source.baseType !== 'bpchar' || target.baseType === 'bpchar') return '';
  return '; shorter values keep the blank padding of character(n) (rtrim() removes it)';
}

function convertCents(source: ColumnView, target: ColumnView): Conversion {
  const to = typeFamily(target);
  if (!isNumber(typeFamily(source)) || (to !== 'numeric' && to !== 'float')) {
    return {
      kind: 'incompatible',
      note: `${source.name} holds cents but ${target.type} is not a decimal type`,
    };
  }
  const expr = `${sqlIdentifier(source.name)} / 100.0`;
  return expression(
    0,
    expr,
    'cents become an amount (divided by 100)',
    numericLoss(source, target, expr, 100),
  );
}

function convertOpposite(source: ColumnView, target: ColumnView): Conversion {
  const column = sqlIdentifier(source.name);
  const from = typeFamily(source);
  if (typeFamily(target) !== 'boolean') return { kind: 'incompatible', note: `${target.type} is not a flag` };
  if (from === 'boolean') return expression(0, `NOT ${column}`, 'the flag is negated');
  if (from === 'integer') return expression(0.05, `${column} = 0`, 'a 0/1 flag, negated');
  if (from === 'text') return askFlag(source, target, true);
  return { kind: 'incompatible', note: `${source.type} is not a flag` };
}

/** A text flag's spelling of yes cannot be read from the schema: the reviewer says which it is. */
function askFlag(source: ColumnView, target: ColumnView, negate: boolean): Conversion {
  const column = sqlIdentifier(source.name);
  const yes = negate ? '<>' : '=';
  const among = negate ? 'NOT IN' : 'IN';
  return {
    kind: 'ask',
    question: `${source.name} (${source.type}) is a text flag and ${target.name} is boolean: which value of ${source.name} means ${negate ? 'the opposite of ' : ''}${target.name}?`,
    choices: [
      { label: `${source.name} holds 'Y' or 'N'`, expr: `${column} ${yes} 'Y'` },
      {
        label: `${source.name} holds yes in several spellings (Y, YES, T, TRUE, 1)`,
        expr: `upper(${column}) ${among} ('Y', 'YES', 'T', 'TRUE', '1')`,
      },
    ],
  };
}

function convertAcross(source: ColumnView, target: ColumnView, from: TypeFamily, to: TypeFamily): Conversion {
  const column = sqlIdentifier(source.name);
  const change = `${source.type} → ${target.type}`;
  const mysql = convertMysqlType(source, target, to);
  if (mysql) return mysql;
  if (from === 'integer' && to === 'boolean') {
    return expression(0.05, `${column} <> 0`, `${source.type} flag 0/1 becomes boolean`);
  }
  if (from === 'text' && to === 'boolean') return askFlag(source, target, false);
  if (isTemporal(from) && to === 'boolean') {
    return expression(0.15, `${column} IS NOT NULL`, `the flag is set where ${source.name} holds a date`);
  }
  if (from === 'boolean' && to === 'integer')
    return expression(0.1, `${column}::integer`, 'boolean becomes 0/1');
  if (isNumber(from) && isNumber(to)) return convertNumber(source, target, from, to);
  if (isNumber(from) && to === 'text')
    return copy(0.1, `numbers are written as text (${change})`, lengthLoss(source, target));
  if (from === 'text' && isNumber(to)) {
    const loss = {
      message: `${change}: text that is not a number would not load.`,
      expr: `${column}::${target.type}`,
    };
    return copy(0.2, `text read as numbers (${change})`, loss);
  }
  if (isTemporal(from) && isTemporal(to)) return convertTemporal(source, target, from, to);
  if (from === 'text' && to !== 'other') return copy(0.2, `text read as ${target.type}`);
  if (to === 'text' && from !== 'other' && from !== 'boolean') {
    return copy(0.1, `${source.type} written as text`, lengthLoss(source, target));
  }
  return { kind: 'incompatible', note: `${change} has no plain conversion` };
}

function convertNumber(source: ColumnView, target: ColumnView, from: TypeFamily, to: TypeFamily): Conversion {
  const column = sqlIdentifier(source.name);
  const change = `${source.type} → ${target.type}`;
  if (to === 'integer') {
    if (from === 'numeric' && source.scale === 0)
      return copy(0.05, `whole numbers (${change})`, integerLossOf(source, target));
    const loss = {
      message: `${change}: fractions are rounded to whole numbers.`,
      expr: `round(${column})::${target.type}`,
    };
    return copy(0.15, `numbers become whole numbers (${change})`, loss);
  }
  return copy(0.05, `compatible numbers (${change})`, numericLoss(source, target, column));
}

/** A numeric(p,0) fits an integer when p is small enough; otherwise the cast must be explicit. */
function integerLossOf(source: ColumnView, target: ColumnView): Loss | undefined {
  const digits = source.precision;
  const bits = integerBits(target);
  if (digits !== undefined && bits !== undefined && digits < integerDigits(bits)) return undefined;
  return {
    message: `${source.type} → ${target.type}: values outside the ${target.type} range would not load.`,
    expr: `${sqlIdentifier(source.name)}::${target.type}`,
  };
}

function convertTemporal(
  source: ColumnView,
  target: ColumnView,
  from: TypeFamily,
  to: TypeFamily,
): Conversion {
  const column = sqlIdentifier(source.name);
  if (from === 'timestamp' && to === 'timestamptz') {
    return copy(0, 'timestamp becomes timestamptz; the values are read in the configured source time zone');
  }
  if (from === 'timestamptz' && to === 'timestamp') {
    return copy(0.05, 'timestamptz becomes timestamp; the values are written in the session time zone');
  }
  if (from === 'date' && (to === 'timestamp' || to === 'timestamptz')) {
    return copy(0.05, `dates become timestamps at midnight (${source.type} → ${target.type})`);
  }
  if ((from === 'timestamp' || from === 'timestamptz') && to === 'date') {
    const loss = { message: `${source.type} → date: the time of day is dropped.`, expr: `${column}::date` };
    return copy(0.1, 'timestamps become dates', loss);
  }
  return { kind: 'incompatible', note: `${source.type} → ${target.type} has no plain conversion` };
}

/**
 * MySQL types with no PostgreSQL namesake. Their values reach these expressions already staged in
 * PostgreSQL types (see source/mysql/raw-types.ts): BIT as bit(n), SET and ENUM as text.
 */
function convertMysqlType(source: ColumnView, target: ColumnView, to: TypeFamily): Conversion | undefined {
  const column = sqlIdentifier(source.name);
  if (source.baseType === 'bit' && source.maxLength === 1 && to === 'boolean')
    return expression(0, `${column} = B'1'`, 'bit(1) is a flag: 1 becomes true');
  if (source.baseType === 'set' && target.baseType.endsWith('[]')) {
    return expression(
      0,
      `string_to_array(nullif(${column}, ''), ',')`,
      `a SET becomes an array of its members (${source.type} → ${target.type})`,
    );
  }
  if (source.baseType === 'enum' && to === 'other' && !target.baseType.endsWith('[]')) {
    const members = source.members?.length ? ` (${source.members.join(', ')})` : '';
    return copy(0.1, `ENUM members${members} read as ${target.type}; a member the type lacks would not load`);
  }
  return undefined;
}
