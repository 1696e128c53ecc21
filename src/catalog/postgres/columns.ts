// Turns pg_attribute rows into catalog columns: base type names, the meaning of a type modifier
// (length, precision, scale), identity and serial detection, and the width a column takes per row.

import type { CatalogColumn, IdentityKind } from '../types.js';
import type { ColumnRow } from './queries.js';

/** What a varlena type modifier carries on top of the declared value (the header size). */
const VARLENA_HEADER_BYTES = 4;

/** An interval's modifier keeps the fields in the high bits and this in the low ones when unset. */
const INTERVAL_PRECISION_UNSET = 0xffff;

const CHARACTER_TYPES = new Set(['varchar', 'bpchar']);
const BIT_TYPES = new Set(['bit', 'varbit']);
const TIME_TYPES = new Set(['time', 'timetz', 'timestamp', 'timestamptz']);

const IDENTITY_KINDS: Readonly<Record<string, IdentityKind>> = { a: 'always', d: 'by default' };

/** Maps one column row; `ordinal` is its 1-based position among the table's live columns. */
export function catalogColumn(row: ColumnRow, ordinal: number): CatalogColumn {
  const identity = IDENTITY_KINDS[row.identity];
  const generated = row.generated !== '';
  const expression = row.expression ?? undefined;
  return {
    name: row.column_name,
    ordinal,
    type: row.type,
    baseType: baseTypeName(row),
    nullable: row.nullable,
    ...(expression !== undefined && !generated ? { default: expression } : {}),
    ...(identity === undefined ? {} : { identity }),
    serial: row.default_uses_owned_sequence && expression?.startsWith('nextval(') === true,
    generated,
    ...(expression !== undefined && generated ? { generationExpression: expression } : {}),
    ...(row.is_builtin_type ? typeModifierDetails(row.base_type_name, row.type_modifier) : {}),
  };
}

function baseTypeName(row: ColumnRow): string {
  return row.is_array ? `${row.base_type_name}[]` : row.base_type_name;
}

type TypeModifierDetails = Pick<CatalogColumn, 'maxLength' | 'precision' | 'scale'>;

/** Decodes a type modifier (-1 when none was declared) the way the built-in types encode it. */
function typeModifierDetails(baseType: string, modifier: number): TypeModifierDetails {
  if (modifier < 0) return {};
  if (CHARACTER_TYPES.has(baseType)) return { maxLength: modifier - VARLENA_HEADER_BYTES };
  if (BIT_TYPES.has(baseType)) return { maxLength: modifier };
  if (TIME_TYPES.has(baseType)) return { precision: modifier };
  if (baseType === 'interval') {
    const precision = modifier & 0xffff;
    return precision === INTERVAL_PRECISION_UNSET ? {} : { precision };
  }
  if (baseType === 'numeric') {
    const packed = modifier - VARLENA_HEADER_BYTES;
    // The scale is an 11-bit signed field since PostgreSQL 15 (negative scales); older servers only
    // store 0..1000 there, which the sign extension leaves unchanged.
    return { precision: (packed >> 16) & 0xffff, scale: ((packed & 0x7ff) ^ 0x400) - 0x400 };
  }
  return {};
}

/**
 * Bytes a column takes per row: the average ANALYZE measured, else the fixed length of its type;
 * unknown for a variable-length column never analyzed.
 */
export function columnWidth(row: ColumnRow, analyzedWidth: number | undefined): number | undefined {
  if (analyzedWidth !== undefined) return analyzedWidth;
  return row.type_length > 0 ? row.type_length : undefined;
}
