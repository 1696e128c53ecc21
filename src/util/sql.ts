// SQL text ferry generates: identifiers are always quoted from their exact names, never spliced raw.
// `sqlIdentifier` is for SQL a person reads (suggested expressions): quoted only where needed.
// Values go in as parameters; `quoteLiteral` is only for statements that take none (`COPY (SELECT …)`).

/** `"name"`, with inner quotes doubled: safe for any name, exact in case. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema"."table"`. */
export function quoteQualifiedName(name: { readonly schema: string; readonly name: string }): string {
  return `${quoteIdentifier(name.schema)}.${quoteIdentifier(name.name)}`;
}

/** Words PostgreSQL reserves: a column named like one must be quoted in an expression. */
const RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate ' +
    'collation column concurrently constraint create cross current_catalog current_date current_role ' +
    'current_schema current_time current_timestamp current_user default deferrable desc distinct do else ' +
    'end except false fetch for foreign freeze from full grant group having ilike in initially inner ' +
    'intersect into is isnull join lateral leading left like limit localtime localtimestamp natural not ' +
    'notnull null offset on only or order outer overlaps placing primary references returning right ' +
    'select session_user similar some symmetric system_user table tablesample then to trailing true union ' +
    'unique user using variadic verbose when where window with'
  ).split(' '),
);

/** An identifier as SQL a person reads it: bare when PostgreSQL would read it unchanged, quoted otherwise. */
export function sqlIdentifier(name: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name)) return name;
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A string literal for SQL that cannot take bind parameters (`COPY (SELECT …)`): `'it''s'`. A value
 * with a backslash is written `E'a\\b'`, as libpq's PQescapeLiteral does, so it reads the same whether
 * the server's `standard_conforming_strings` is on or off (a legacy source may still have it off).
 * NUL cannot be stored in PostgreSQL text, so it is refused rather than silently cut off.
 *
 * @example
 * quoteLiteral("O'Brien"); // → 'O''Brien'
 * quoteLiteral('C:\\temp'); // → E'C:\\temp'
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new RangeError('a SQL string literal cannot contain a NUL character');
  const quoted = value.replaceAll("'", "''");
  if (!value.includes('\\')) return `'${quoted}'`;
  return `E'${quoted.replaceAll('\\', '\\\\')}'`;
}

/**
 * `jsonb_build_object(k1, v1, …) || …`: an object of any number of pairs (`[key literal, value SQL]`),
 * built in chunks because a function call takes at most 100 arguments.
 *
 * @example
 * jsonObjectSql([["'id'", 's.c1']]); // → jsonb_build_object('id', s.c1)
 */
export function jsonObjectSql(pairs: readonly (readonly [string, string])[]): string {
  if (pairs.length === 0) return `'{}'::jsonb`;
  const chunks: string[] = [];
  for (let start = 0; start < pairs.length; start += 50) {
    const chunk = pairs.slice(start, start + 50).flat();
    chunks.push(`jsonb_build_object(${chunk.join(', ')})`);
  }
  return chunks.join(' || ');
}
