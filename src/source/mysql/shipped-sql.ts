// A shipped value (see runner/shipped-value.ts) written as MySQL SQL. Each form is one MySQL gives the
// same result for as PostgreSQL: comparisons and the logic operators yield 1, 0 or NULL, which a
// boolean column reads as true, false or NULL; `column * 0.01` is exact DECIMAL arithmetic, where a
// division would round to `div_precision_increment` digits.

import type { ShippedValue } from '../reader.js';
import { quoteMysqlIdentifier } from './identifiers.js';

/**
 * @example
 * shippedSql({ kind: 'point-shift', column: 'amount_cents', digits: 2 }); // → "(`amount_cents` * 0.01)"
 */
export function shippedSql(value: ShippedValue): string {
  switch (value.kind) {
    case 'column':
      return quoteMysqlIdentifier(value.name);
    case 'integer':
      return value.value;
    case 'compare':
      return `(${shippedSql(value.left)} ${value.op} ${shippedSql(value.right)})`;
    case 'is-null':
      return `(${shippedSql(value.arg)} IS ${value.negated ? 'NOT ' : ''}NULL)`;
    case 'logic':
      if (value.op === 'not') return `(NOT ${shippedSql(value.args[0] as ShippedValue)})`;
      return `(${value.args.map(shippedSql).join(value.op === 'and' ? ' AND ' : ' OR ')})`;
    case 'point-shift':
      return `(${quoteMysqlIdentifier(value.column)} * 0.${'0'.repeat(value.digits - 1)}1)`;
  }
}
