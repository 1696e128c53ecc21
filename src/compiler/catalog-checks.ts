// Specs checked against the real databases: every table and column a spec names must exist, with a
// suggestion when it does not. Runs once both catalogs are introspected (plan, apply).

import type { Catalog, CatalogTable } from '../catalog/types.js';
import { type Diagnostic, errorDiagnostic, type SourceLocation } from '../errors.js';
import { formatQualifiedName } from '../spec/qualified-name.js';
import { didYouMean } from '../spec/suggest.js';
import type { QualifiedName } from '../spec/types.js';
import type { MigrationNode, Plan } from './plan.js';

export interface Catalogs {
  readonly source: Catalog;
  readonly target: Catalog;
}

/** Finds a table by exact schema and name. */
export function findTable(catalog: Catalog, name: QualifiedName): CatalogTable | undefined {
  return catalog.tables.find((t) => t.schema === name.schema && t.name === name.name);
}

export function checkAgainstCatalogs(plan: Plan, catalogs: Catalogs): Diagnostic[] {
  return plan.migrations.flatMap((migration) => checkMigration(migration, catalogs));
}

function checkMigration(migration: MigrationNode, catalogs: Catalogs): Diagnostic[] {
  const source = findTable(catalogs.source, migration.from);
  const target = findTable(catalogs.target, migration.to);
  const diagnostics: Diagnostic[] = [];
  if (!source)
    diagnostics.push(unknownTable('source', migration.from, catalogs.source, migration.locations.from));
  if (!target)
    diagnostics.push(unknownTable('target', migration.to, catalogs.target, migration.locations.to));
  for (const column of migration.columns) {
    const location = column.location ?? migration.location;
    if (target && !hasColumn(target, column.target)) {
      diagnostics.push(unknownColumn('target', target, column.target, location));
    }
    if (source && column.from !== undefined && !hasColumn(source, column.from)) {
      diagnostics.push(unknownColumn('source', source, column.from, location));
    }
  }
  const cursor = migration.incremental?.cursor;
  if (source && cursor !== undefined && !hasColumn(source, cursor)) {
    diagnostics.push(
      unknownColumn('source', source, cursor, migration.locations.cursor ?? migration.location),
    );
  }
  if (source) {
    for (const key of migration.batch.key ?? []) {
      if (!hasColumn(source, key)) {
        diagnostics.push(
          unknownColumn('source', source, key, migration.locations.batchKey ?? migration.location),
        );
      }
    }
  }
  return diagnostics;
}

function hasColumn(table: CatalogTable, name: string): boolean {
  return table.columns.some((c) => c.name === name);
}

function unknownTable(
  side: 'source' | 'target',
  name: QualifiedName,
  catalog: Catalog,
  location: SourceLocation,
): Diagnostic {
  const candidates = catalog.tables.map((t) => formatQualifiedName(t));
  const inSchema = catalog.tables.filter((t) => t.schema === name.schema).map((t) => formatQualifiedName(t));
  return errorDiagnostic(
    'catalog.unknown-table',
    `${side} table ${formatQualifiedName(name)} does not exist`,
    {
      hint: didYouMean(
        formatQualifiedName(name),
        candidates,
        inSchema.length > 0
          ? `tables in schema ${name.schema}: ${inSchema.slice(0, 8).join(', ')}${inSchema.length > 8 ? ', …' : ''}`
          : `the ${side} database has no schema ${name.schema} that the connecting role can see`,
      ),
      location,
    },
  );
}

function unknownColumn(
  side: 'source' | 'target',
  table: CatalogTable,
  column: string,
  location: SourceLocation,
) {
  const names = table.columns.map((c) => c.name);
  return errorDiagnostic(
    'catalog.unknown-column',
    `${side} table ${formatQualifiedName(table)} has no column \`${column}\``,
    { hint: didYouMean(column, names, `its columns: ${names.join(', ')}`), location },
  );
}
