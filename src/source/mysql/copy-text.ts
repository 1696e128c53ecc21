// MySQL rows → PostgreSQL COPY text, one line per row, for the staging types of raw-types.ts. The
// driver hands values over as the server printed them (strings; numbers for small integers and
// floats; Buffers for binary strings and BIT), so this only escapes and reshapes: no value is parsed
// into a JavaScript Date or rounded through a double.

import type { CatalogColumn } from '../../catalog/types.js';

export type MysqlValue = string | number | bigint | Buffer | null;

/** Encodes one value as a COPY text field (NULL as \N). */
type FieldEncoder = (value: MysqlValue) => string;

export interface CopyTextEncoder {
  /** The row as one COPY text line, newline included. */
  encode(row: readonly MysqlValue[]): string;
  /** Zero or impossible dates (`0000-00-00`, `2020-00-00`, `2020-02-31`) written as NULL so far, per column. */
  readonly zeroDates: ReadonlyMap<string, number>;
}

const NULL = '\\N';

/** COPY text escapes: backslash first, then the characters that end a field or a line. */
function escapeText(text: string): string {
  if (!/[\\\t\n\r]/.test(text)) return text;
  return text.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

function plain(value: MysqlValue): string {
  // Strings first: the driver hands over nearly every value as one. Numbers never need escaping.
  if (typeof value === 'string') return escapeText(value);
  if (value === null) return NULL;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return escapeText(value.toString('utf8'));
}

/** bytea in COPY text: `\x` hex, its backslash escaped for COPY. */
function bytea(value: MysqlValue): string {
  if (value === null) return NULL;
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8');
  return `\\\\x${bytes.toString('hex')}`;
}

/** BIT(n) arrives as big-endian bytes; PostgreSQL reads a bit string of exactly n digits. */
function bits(width: number): FieldEncoder {
  return (value) => {
    if (value === null) return NULL;
    const bytes = Buffer.isBuffer(value) ? value : Buffer.from([Number(value)]);
    let digits = '';
    for (const byte of bytes) digits += byte.toString(2).padStart(8, '0');
    return digits.slice(-width).padStart(width, '0');
  };
}

/** The number `text` spells at [start, start + length), or -1 when any of it is not a digit. */
function digitsAt(text: string, start: number, length: number): number {
  let value = 0;
  for (let i = start; i < start + length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 31);
}

/**
 * A date or datetime PostgreSQL has no value for: a zero year, month or day (MySQL's "no date"), or a
 * day its month does not have (`2020-02-31`, which ALLOW_INVALID_DATES lets in). Read digit by digit:
 * it runs once per date value, and a regular expression and a Date per value cost more than the rest
 * of the row's encoding.
 */
function isZeroDate(text: string): boolean {
  if (text.length < 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return false;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  if (year < 0 || month < 0 || day < 0) return false;
  if (year === 0 || month === 0 || day === 0 || month > 12) return true;
  return day > 28 && day > daysInMonth(year, month);
}

function dates(name: string, zeroDates: Map<string, number>, suffix = ''): FieldEncoder {
  return (value) => {
    if (value === null) return NULL;
    const text = String(value);
    if (isZeroDate(text)) {
      zeroDates.set(name, (zeroDates.get(name) ?? 0) + 1);
      return NULL;
    }
    return `${text}${suffix}`;
  };
}

function fieldEncoder(column: CatalogColumn, zeroDates: Map<string, number>): FieldEncoder {
  switch (column.baseType) {
    case 'binary':
    case 'varbinary':
    case 'tinyblob':
    case 'blob':
    case 'mediumblob':
    case 'longblob':
      return bytea;
    case 'bit':
      return bits(column.maxLength ?? 1);
    case 'date':
    case 'datetime':
      return dates(column.name, zeroDates);
    // Read in a UTC session: the offset makes the instant exact whatever the target session's zone.
    case 'timestamp':
      return dates(column.name, zeroDates, '+00');
    default:
      return plain;
  }
}

/** An encoder for rows of `columns`, in that order. */
export function copyTextEncoder(columns: readonly CatalogColumn[]): CopyTextEncoder {
  const zeroDates = new Map<string, number>();
  const encoders = columns.map((column) => fieldEncoder(column, zeroDates));
  return {
    zeroDates,
    encode(row) {
      let line = '';
      for (let i = 0; i < encoders.length; i++) {
        if (i > 0) line += '\t';
        line += (encoders[i] as FieldEncoder)(row[i] ?? null);
      }
      return `${line}\n`;
    },
  };
}
