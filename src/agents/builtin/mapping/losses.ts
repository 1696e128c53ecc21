// Copies that work but may lose information or fail on some rows: a narrower integer, fewer digits,
// a shorter text, a date cut from a timestamp. Each comes with the expression that makes it explicit.

import type { ColumnView } from './catalog-view.js';
import { sqlIdentifier } from './snippets.js';
import { integerBits, integerPartDigits, integerTypeName, typeFamily } from './type-families.js';

export interface Loss {
  /** What may be lost, in plain words. */
  readonly message: string;
  /** The expression that does the conversion explicitly. */
  readonly expr: string;
}

/** `left(col, n)` when the target holds fewer characters than the source may. */
export function lengthLoss(source: ColumnView, target: ColumnView): Loss | undefined {
  const limit = target.maxLength;
  if (limit === undefined || typeFamily(target) !== 'text') return undefined;
  if (source.maxLength !== undefined && source.maxLength <= limit) return undefined;
  const longer =
    source.maxLength === undefined
      ? `${source.type} has no length limit`
      : `${source.type} holds up to ${source.maxLength} characters`;
  return {
    message: `${longer} but ${target.type} only ${limit}: longer values would not load; left() cuts them to ${limit} characters.`,
    expr: `left(${sqlIdentifier(source.name)}, ${limit})`,
  };
}

/** An explicit cast when the target integer is narrower than the source's. */
export function integerLoss(source: ColumnView, target: ColumnView): Loss | undefined {
  const from = integerBits(source);
  const to = integerBits(target);
  if (from === undefined || to === undefined || to >= from) return undefined;
  const name = integerTypeName(to);
  return {
    message: `${source.type} → ${target.type}: values outside the ${name} range would not load.`,
    expr: `${sqlIdentifier(source.name)}::${name}`,
  };
}

/**
 * Rounding when the target keeps fewer decimals, a warning when it keeps fewer digits before the point.
 * `divisor` is 100 when the value is converted from cents on the way.
 */
export function numericLoss(
  source: ColumnView,
  target: ColumnView,
  expr: string,
  divisor = 1,
): Loss | undefined {
  if (typeFamily(target) !== 'numeric' || target.precision === undefined) return undefined;
  const targetScale = target.scale ?? 0;
  const targetDigits = target.precision - targetScale;
  const sourceDigits = integerPartDigits(source);
  const extraDecimals = divisor === 100 ? 2 : 0;
  const sourceScale =
    typeFamily(source) === 'integer'
      ? extraDecimals
      : source.scale === undefined
        ? undefined
        : source.scale + extraDecimals;
  const problems: string[] = [];
  if (sourceScale === undefined || sourceScale > targetScale) {
    problems.push(`decimals beyond ${targetScale} are rounded`);
  }
  if (sourceDigits === undefined || sourceDigits - extraDecimals > targetDigits) {
    problems.push(`values with more than ${targetDigits} digits before the point would not load`);
  }
  if (problems.length === 0) return undefined;
  return {
    message: `${source.type} → ${target.type}: ${problems.join(', and ')}.`,
    expr: sourceScale === undefined || sourceScale > targetScale ? `round(${expr}, ${targetScale})` : expr,
  };
}
