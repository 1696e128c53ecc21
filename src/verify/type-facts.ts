// Which types a comparison may cast to on each side: a target column's type is used on the source only
// where it is a built-in type there (else values compare as text), and batch key ranges are cut on the
// target only for key types that are built in there and sort without a collation.

import type pg from 'pg';
import type { TypeFacts } from './comparison.js';

// Only built-in types count as known: a domain or enum of the same name on the other side may hold
// other rules, and a cast into it could fail where apply's own write did not.
const TYPES_SQL = `
select name,
       coalesce(t.typnamespace = 'pg_catalog'::regnamespace, false) as known,
       coalesce(t.typcollation <> 0, false) as collatable
from unnest($1::text[]) as name
left join pg_type t on t.oid = to_regtype(name)`;

interface TypeRow {
  readonly name: string;
  readonly known: boolean;
  readonly collatable: boolean;
}

/**
 * Reads what both databases know of `types` (printed by format_type, so each parses as a type name).
 *
 * @example
 * const types = await readTypeFacts(source, target, ['bigint', 'numeric(12,2)', 'shop.mood']);
 * types.onSource('shop.mood'); // → false: compared as text
 */
export async function readTypeFacts(
  source: pg.ClientBase,
  target: pg.ClientBase,
  types: readonly string[],
): Promise<TypeFacts> {
  const names = [...new Set(types)];
  const [onSource, onTarget] = await Promise.all([
    source.query<TypeRow>(TYPES_SQL, [names]),
    target.query<TypeRow>(TYPES_SQL, [names]),
  ]);
  const known = (rows: readonly TypeRow[]) => new Set(rows.filter((r) => r.known).map((r) => r.name));
  const sourceKnown = known(onSource.rows);
  const targetKnown = known(onTarget.rows);
  const collatable = new Set(onSource.rows.filter((r) => r.collatable).map((r) => r.name));
  return {
    onSource: (type) => sourceKnown.has(type),
    onTarget: (type) => targetKnown.has(type),
    collatable: (type) => collatable.has(type),
  };
}
