// What the mapping agent knows while it maps one migration: both tables, their names as words, and
// the request's other migrations (to follow foreign keys from target tables back to source tables).

import type { AgentMigration, AgentRequest } from '../../protocol.js';
import { type CatalogView, findTable, type TableView, tableKey } from './catalog-view.js';
import { detectAppPrefix, tableWords } from './table-names.js';

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
  return {
    request,
    migration,
    source,
    target,
    sourceTableWords: tableWords(source.name, request.sourcePrefix),
    targetTableWords: tableWords(target.name, request.targetPrefix),
  };
}
