// Table fingerprints: the lockfile pins them so `plan --frozen-lock` and `apply` notice when a source or
// target table changed shape since the plan was made. Engine-neutral; every introspector uses it.

import { canonicalJson, hashCanonical } from '../util/canonical-json.js';
import { compareText } from '../util/compare.js';
import type { CatalogColumn, CatalogTable } from './types.js';

export type UnfingerprintedTable = Omit<CatalogTable, 'fingerprint'>;

/**
 * Hashes what a table is, not what it holds or what it is called: columns (name, order, type,
 * nullability, default, identity, generation), keys, foreign keys and checks. Row estimates, widths
 * and constraint or index names are left out (the server generates most of those names), as is the
 * sequence name behind a serial default, so the hash survives ANALYZE, server upgrades and a fresh
 * database built from the same DDL.
 *
 * @example
 * const { fingerprint, ...structure } = catalog.tables[0];
 * fingerprintTable(structure) === fingerprint; // true: introspection fingerprints with this function
 */
export function fingerprintTable(table: UnfingerprintedTable): string {
  return hashCanonical({
    columns: table.columns.map(columnStructure),
    primaryKey: table.primaryKey ?? null,
    uniqueKeys: sortedByCanonicalJson(table.uniqueKeys),
    foreignKeys: sortedByCanonicalJson(
      table.foreignKeys.map((foreignKey) => ({
        columns: foreignKey.columns,
        referencedSchema: foreignKey.referencedSchema,
        referencedTable: foreignKey.referencedTable,
        referencedColumns: foreignKey.referencedColumns,
        onDelete: foreignKey.onDelete,
        deferrable: foreignKey.deferrable,
      })),
    ),
    checks: table.checks.map((check) => check.expression).sort(compareText),
  });
}

function columnStructure(column: CatalogColumn): Record<string, unknown> {
  return {
    name: column.name,
    type: column.type,
    nullable: column.nullable,
    // A serial's default names a sequence the server named after the table; `serial` says it all.
    default: column.serial ? null : (column.default ?? null),
    identity: column.identity ?? null,
    serial: column.serial,
    generated: column.generated,
    generationExpression: column.generationExpression ?? null,
  };
}

function sortedByCanonicalJson<T>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => compareText(canonicalJson(a), canonicalJson(b)));
}
