// What the mapping agent knows while it maps one migration: both tables, their names as words, and
// the request's other migrations (to follow foreign keys from target tables back to source tables).

import type { AgentMigration, AgentRequest } from '../../protocol.js';
import { type CatalogView, findTable, type TableView, tableKey } from './catalog-view.js';
import { type ColumnReading, readColumn } from './name-readings.js';
import { detectAppPrefix, tableWords } from './table-names.js';
import { isTemporal, typeFamily } from './type-families.js';

export interface RequestIndex {
  readonly minConfidence: number;
  readonly source: CatalogView;
  readonly target: CatalogView;
  readonly byName: ReadonlyMap<string, AgentMigration>;
  /** The migrations that write each target table. */
  readonly byTarget: ReadonlyMap<string, readonly AgentMigration[]>;
  readonly sourcePrefix: string | undefined;
  readonly targetPrefix: string | undefined;
}

export interface MigrationContext {
  readonly request: RequestIndex;
  readonly migration: AgentMigration;
  readonly source: TableView;
  readonly target: TableView;
  readonly sourceTableWords: readonly string[];
  readonly targetTableWords: readonly string[];
  /** Each column's name read every way the matcher compares it, by column name. */
  readonly sourceReadings: ReadonlyMap<string, ColumnReading>;
  readonly targetReadings: ReadonlyMap<string, ColumnReading>;
}

export function indexRequest(request: AgentRequest): RequestIndex {
  const byTarget = new Map<string, AgentMigration[]>();
  for (const migration of request.migrations) {
    const key = tableKey(migration.to);
    byTarget.set(key, [...(byTarget.get(key) ?? []), migration]);
  }
  return {
    minConfidence: request.minConfidence,
    source: request.source,
    target: request.target,
    byName: new Map(request.migrations.map((m) => [m.name, m])),
    byTarget,
    sourcePrefix: detectAppPrefix(request.source.tables.map((t) => t.name)),
    targetPrefix: detectAppPrefix(request.target.tables.map((t) => t.name)),
  };
}

/** The context of one migration, or undefined when a table it names is not in the catalogs. */
export function migrationContext(
  request: RequestIndex,
  migration: AgentMigration,
): MigrationContext | undefined {
  const source = findTable(request.source, migration.from);
  const target = findTable(request.target, migration.to);
  if (!source || !target) return undefined;
  const sourceTableWords = tableWords(source.name, request.sourcePrefix);
  const targetTableWords = tableWords(target.name, request.targetPrefix);
  return {
    request,
    migration,
    source,
    target,
    sourceTableWords,
    targetTableWords,
    sourceReadings: readTable(source, sourceTableWords),
    targetReadings: readTable(target, targetTableWords),
  };
}

/** Reads the names of all columns of a table once; the matcher compares them many times. */
export function readTable(table: TableView, words: readonly string[]): Map<string, ColumnReading> {
  return new Map(
    table.columns.map((column) => [
      column.name,
      readColumn({
        name: column.name,
        tableName: table.name,
        tableWords: words,
        temporal: isTemporal(typeFamily(column)),
      }),
    ]),
  );
}
