// Rows of a migrated table whose foreign key finds no parent row: impossible while the constraint is
// checked, possible after a bulk load whose rebuild failed, a constraint added NOT VALID, or triggers
// disabled. Counted per foreign key on the target, with the first rows named.

import type pg from 'pg';
import type { CatalogForeignKey, CatalogTable } from '../catalog/types.js';
import { quoteIdentifier, quoteQualifiedName } from '../util/sql.js';
import type { Comparison } from './comparison.js';
import type { OrphanFinding } from './types.js';

/**
 * One finding per foreign key of `table` that has orphaned rows.
 *
 * @example
 * await findOrphans(target, orders, comparison, 20); // → [{ constraint: 'orders_case_file_id_fkey', rows: 3, … }]
 */
export async function findOrphans(
  target: pg.ClientBase,
  table: CatalogTable,
  comparison: Comparison,
  limit: number,
): Promise<OrphanFinding[]> {
  const findings: OrphanFinding[] = [];
  for (const fk of table.foreignKeys) {
    const { rows } = await target.query<{
      key: string[] | null;
      tkey: string[] | null;
      fk_values: (string | null)[];
      total: string;
    }>(orphanSql(fk, comparison, limit));
    if (rows.length === 0) continue;
    findings.push({
      constraint: fk.name,
      columns: fk.columns,
      references: quoteQualifiedName({ schema: fk.referencedSchema, name: fk.referencedTable }),
      rows: Number(rows[0]?.total ?? 0),
      first: rows.map((row) => ({ key: row.key, targetKey: row.tkey, values: row.fk_values })),
    });
  }
  return findings;
}

/** MATCH SIMPLE, as PostgreSQL checks a foreign key: a row with a NULL in the key references nothing. */
function orphanSql(fk: CatalogForeignKey, comparison: Comparison, limit: number): string {
  const own = fk.columns.map((c) => `t.${quoteIdentifier(c)}`);
  const match = fk.columns
    .map((c, i) => `p.${quoteIdentifier(fk.referencedColumns[i] ?? '')} = t.${quoteIdentifier(c)}`)
    .join(' AND ');
  const parent = quoteQualifiedName({ schema: fk.referencedSchema, name: fk.referencedTable });
  return (
    `SELECT ${comparison.targetKey} AS key, ${comparison.targetPrimaryKey} AS tkey, ` +
    `ARRAY[${own.map((c) => `${c}::text`).join(', ')}] AS fk_values, count(*) OVER () AS total ` +
    `FROM ${comparison.targetFrom} ` +
    `WHERE ${own.map((c) => `${c} IS NOT NULL`).join(' AND ')} AND NOT EXISTS (SELECT FROM ${parent} p WHERE ${match}) ` +
    `ORDER BY 1, 2 LIMIT ${limit}`
  );
}
