// Foreign-key facts about a migration's tables, read from both catalogs of an agent request: who
// references the table, what it references, and whether it references itself. Lookups go through an
// index built once per request, so a project of thousands of migrations stays linear.

import { formatIdentifier, formatQualifiedName } from '../../spec/qualified-name.js';
import type { QualifiedName } from '../../spec/types.js';
import { compareText } from '../../util/compare.js';
import type { AgentMigration, AgentRequest } from '../protocol.js';

export type RequestCatalog = AgentRequest['source'];
export type RequestTable = RequestCatalog['tables'][number];
export type RequestForeignKey = RequestTable['foreignKeys'][number];

/** One foreign key pointing at the migration's table, as a reviewer finds it: `case_files.bracket_id`. */
export interface IncomingReference {
  /** Identifies the referencing table, so several keys from one table count once. */
  readonly tableKey: string;
  readonly description: string;
}

interface Referrer {
  readonly table: RequestTable;
  readonly fk: RequestForeignKey;
}

interface RequestIndex {
  readonly source: ReadonlyMap<string, RequestTable>;
  readonly target: ReadonlyMap<string, RequestTable>;
  /** Source table → the target table its migration writes. */
  readonly movedTo: ReadonlyMap<string, QualifiedName>;
  /** Referenced table → the foreign keys of other tables pointing at it, per catalog. */
  readonly sourceReferrers: ReadonlyMap<string, readonly Referrer[]>;
  readonly targetReferrers: ReadonlyMap<string, readonly Referrer[]>;
}

const indexes = new WeakMap<AgentRequest, RequestIndex>();

function keyOf(name: QualifiedName): string {
  return `${name.schema}\u0000${name.name}`;
}

function referencedName(fk: RequestForeignKey): QualifiedName {
  return { schema: fk.referencedSchema, name: fk.referencedTable };
}

function indexRequest(request: AgentRequest): RequestIndex {
  const cached = indexes.get(request);
  if (cached) return cached;
  const index: RequestIndex = {
    source: new Map(request.source.tables.map((t) => [keyOf(t), t])),
    target: new Map(request.target.tables.map((t) => [keyOf(t), t])),
    movedTo: new Map(request.migrations.map((m) => [keyOf(m.from), m.to])),
    sourceReferrers: referrersByTable(request.source),
    targetReferrers: referrersByTable(request.target),
  };
  indexes.set(request, index);
  return index;
}

/** Foreign keys of other tables, grouped by the table they point at; self-references left out. */
function referrersByTable(catalog: RequestCatalog): Map<string, Referrer[]> {
  const byTable = new Map<string, Referrer[]>();
  for (const table of catalog.tables) {
    for (const fk of table.foreignKeys) {
      const referenced = keyOf(referencedName(fk));
      if (referenced === keyOf(table)) continue;
      const group = byTable.get(referenced);
      if (group) group.push({ table, fk });
      else byTable.set(referenced, [{ table, fk }]);
    }
  }
  return byTable;
}

export function sameTable(a: QualifiedName, b: QualifiedName): boolean {
  return a.schema === b.schema && a.name === b.name;
}

/** The source table (`side: 'source'`) or target table of a request, by name. */
export function findTable(
  request: AgentRequest,
  side: 'source' | 'target',
  name: QualifiedName,
): RequestTable | undefined {
  return indexRequest(request)[side].get(keyOf(name));
}

/** The name without its schema when it shares the schema of the table being described. */
function displayName(name: QualifiedName, context: QualifiedName): string {
  return name.schema === context.schema ? formatIdentifier(name.name) : formatQualifiedName(name);
}

function describeKey(table: string, columns: readonly string[]): string {
  return columns.length === 1 ? `${table}.${columns[0]}` : `${table} (${columns.join(', ')})`;
}

/**
 * Foreign keys of other tables that point at the migration's table: the target's, then the source's
 * that the target does not repeat (a legacy key the new schema dropped still says "referenced").
 */
export function incomingReferences(request: AgentRequest, migration: AgentMigration): IncomingReference[] {
  const index = indexRequest(request);
  const fromTarget = index.targetReferrers.get(keyOf(migration.to)) ?? [];
  const targetTables = new Set(fromTarget.map(({ table }) => keyOf(table)));
  const references: IncomingReference[] = fromTarget.map(({ table, fk }) => ({
    tableKey: `target:${keyOf(table)}`,
    description: describeKey(displayName(table, migration.to), fk.columns),
  }));
  for (const { table, fk } of index.sourceReferrers.get(keyOf(migration.from)) ?? []) {
    const movedTo = index.movedTo.get(keyOf(table));
    if (movedTo && targetTables.has(keyOf(movedTo))) continue;
    references.push({
      tableKey: `source:${keyOf(table)}`,
      description: `${describeKey(formatQualifiedName(table), fk.columns)} in the source`,
    });
  }
  return references.sort((a, b) => compareText(a.description, b.description));
}

/** The other tables the migration's table references, by name: a table with parents is a record. */
export function outgoingReferences(request: AgentRequest, migration: AgentMigration): string[] {
  const index = indexRequest(request);
  const targetParents = (index.target.get(keyOf(migration.to))?.foreignKeys ?? [])
    .map(referencedName)
    .filter((parent) => !sameTable(parent, migration.to));
  const names = new Set(targetParents.map((parent) => displayName(parent, migration.to)));
  const parentKeys = new Set(targetParents.map(keyOf));
  for (const fk of index.source.get(keyOf(migration.from))?.foreignKeys ?? []) {
    const parent = referencedName(fk);
    if (sameTable(parent, migration.from)) continue;
    const movedTo = index.movedTo.get(keyOf(parent));
    if (movedTo && parentKeys.has(keyOf(movedTo))) continue;
    names.add(`${formatQualifiedName(parent)} in the source`);
  }
  return [...names].sort(compareText);
}

/** The first foreign key of a table that points at the table itself (`employees.manager_id`). */
export function selfReference(table: RequestTable): string | undefined {
  const fk = table.foreignKeys.find((key) => sameTable(referencedName(key), table));
  return fk && describeKey(formatIdentifier(table.name), fk.columns);
}
