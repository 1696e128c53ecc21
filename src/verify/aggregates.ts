// Order-independent fingerprints of a comparison's rows, computed by each server: per segment (the
// rows whose md5 of the source key starts with the same hex digits) a count and, per column, the sum
// of a 64-bit hash of (source key, value). A sum, not an xor, so a duplicated row changes it; the key
// inside the hash, so two rows that swapped values change it too. Only these sums cross the wire.

import type pg from 'pg';
import type { Comparison } from './comparison.js';

/** Hex digits a narrowing step adds to a segment's prefix: each segment splits into 256. */
export const DIGITS_PER_LEVEL = 2;

/** md5 has 32 hex digits: a segment this narrow holds one source key (and its copies). */
export const MAX_PREFIX = 32;

export type Category = 'compared' | 'rejected' | 'skipped' | 'unlocated';

export interface Aggregate {
  readonly rows: number;
  /** Per compared column, the sum of its hashes as numeric text (null for no rows). */
  readonly sums: readonly (string | null)[];
}

/** Segments by prefix: the fingerprints of one side's compared rows. */
export type Segments = ReadonlyMap<string, Aggregate>;

export interface FirstLevel {
  /** Rows per category, over the whole table. */
  readonly categories: ReadonlyMap<Category, number>;
  readonly segments: Segments;
}

/** A side of the comparison: its connection, its rows SELECT and the parameters that SELECT takes. */
export interface Side {
  readonly client: pg.ClientBase;
  readonly rows: string;
  readonly params: readonly unknown[];
}

export function sidesOf(
  comparison: Comparison,
  clients: { readonly source: pg.ClientBase; readonly target: pg.ClientBase },
  rejectedKeys: readonly (readonly string[])[],
): { readonly source: Side; readonly target: Side } {
  return {
    source: {
      client: clients.source,
      rows: comparison.sourceRows,
      params: rejectedKeys.length > 0 ? [JSON.stringify(rejectedKeys)] : [],
    },
    target: { client: clients.target, rows: comparison.targetRows, params: [] },
  };
}

/** The row's segment at `digits` hex digits. */
export function prefixSql(digits: number): string {
  return `left(md5(r.ident::text), ${digits})`;
}

/**
 * Every row's category, and the fingerprints of the compared rows by their first segment. One scan
 * of each table.
 *
 * @example
 * const [source, target] = await Promise.all([firstLevel(sides.source, 2), firstLevel(sides.target, 2)]);
 */
export async function firstLevel(side: Side, columns: number): Promise<FirstLevel> {
  const { rows } = await side.client.query<AggregateRow & { cat: Category }>(
    `SELECT r.cat, ${prefixSql(DIGITS_PER_LEVEL)} AS prefix, ${aggregates(columns)} ` +
      `FROM (${side.rows}) r GROUP BY 1, 2`,
    [...side.params],
  );
  const categories = new Map<Category, number>();
  const segments = new Map<string, Aggregate>();
  for (const row of rows) {
    const aggregate = toAggregate(row);
    categories.set(row.cat, (categories.get(row.cat) ?? 0) + aggregate.rows);
    if (row.cat === 'compared') segments.set(row.prefix ?? '', aggregate);
  }
  return { categories, segments };
}

/**
 * The fingerprints of the compared rows of `prefixes` (all `digits - 2` long), cut one level finer.
 *
 * @example
 * await narrowerSegments(side, 3, ['a7', '0c'], 4); // → Map { 'a700' → …, 'a7f3' → …, '0c19' → … }
 */
export async function narrowerSegments(
  side: Side,
  columns: number,
  prefixes: readonly string[],
  digits: number,
): Promise<Segments> {
  const parameter = side.params.length + 1;
  const { rows } = await side.client.query<AggregateRow>(
    `SELECT ${prefixSql(digits)} AS prefix, ${aggregates(columns)} FROM (${side.rows}) r ` +
      `WHERE r.cat = 'compared' AND ${prefixSql(digits - DIGITS_PER_LEVEL)} = ANY($${parameter}::text[]) GROUP BY 1`,
    [...side.params, prefixes],
  );
  return new Map(rows.map((row) => [row.prefix ?? '', toAggregate(row)]));
}

export interface FetchedRow {
  /** The identity: the source key as both sides print it. */
  readonly i: string;
  readonly key: string[] | null;
  readonly values: (string | null)[];
  /** Rows with this identity and exactly these values. */
  readonly copies: number;
}

/**
 * The compared rows of segments `prefixes` (all `digits` long), identical rows folded into one with
 * their number of copies.
 */
export async function fetchSegments(
  side: Side,
  columns: number,
  prefixes: readonly string[],
  digits: number,
): Promise<FetchedRow[]> {
  const parameter = side.params.length + 1;
  const values = Array.from({ length: columns }, (_, i) => `r.v${i + 1}`);
  const { rows } = await side.client.query<string[]>({
    text:
      `SELECT r.ident::text, r.key, count(*)::int${values.map((v) => `, ${v}`).join('')} FROM (${side.rows}) r ` +
      `WHERE r.cat = 'compared' AND ${prefixSql(digits)} = ANY($${parameter}::text[]) ` +
      `GROUP BY ${['r.ident', 'r.key', ...values].join(', ')}`,
    values: [...side.params, prefixes],
    rowMode: 'array',
  });
  return rows.map((row) => {
    const [i, key, copies, ...rest] = row as unknown as [
      string,
      string[] | null,
      number,
      ...(string | null)[],
    ];
    return { i, key, copies, values: rest };
  });
}

/** Segments whose fingerprints differ between the sides (either side may lack one), sorted. */
export function differingSegments(source: Segments, target: Segments): string[] {
  const prefixes = new Set([...source.keys(), ...target.keys()]);
  return [...prefixes].filter((p) => !sameAggregate(source.get(p), target.get(p))).sort();
}

/** The compared columns (by index) whose fingerprints differ in segment `prefix`. */
export function differingColumns(
  source: Aggregate | undefined,
  target: Aggregate | undefined,
  columns: number,
): number[] {
  return Array.from({ length: columns }, (_, i) => i).filter(
    (i) => (source?.sums[i] ?? null) !== (target?.sums[i] ?? null),
  );
}

function sameAggregate(a: Aggregate | undefined, b: Aggregate | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.rows === b.rows && a.sums.every((sum, i) => sum === b.sums[i]);
}

interface AggregateRow {
  readonly prefix: string | null;
  readonly n: string;
  readonly [column: string]: unknown;
}

/** count(*) as n, and per column c1…cn the sum of the hash of (identity, value). */
function aggregates(columns: number): string {
  const sums = Array.from(
    { length: columns },
    (_, i) =>
      `sum(('x' || left(md5(ARRAY[r.ident::text, r.v${i + 1}]::text), 16))::bit(64)::int8) AS c${i + 1}`,
  );
  return ['count(*) AS n', ...sums].join(', ');
}

function toAggregate(row: AggregateRow): Aggregate {
  const sums: (string | null)[] = [];
  for (let i = 1; `c${i}` in row; i++) sums.push((row[`c${i}`] as string | null) ?? null);
  return { rows: Number(row.n), sums };
}
