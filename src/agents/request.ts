// Builds what an agent is asked: the migrations still open, and only the tables they touch (the
// source tables they read, the target tables they write and those tables' foreign-key parents).

import type { Catalog, CatalogTable } from '../catalog/types.js';
import { type Catalogs, findTable } from '../compiler/catalog-checks.js';
import type { MigrationNode } from '../compiler/plan.js';
import {
  AGENT_PROTOCOL_VERSION,
  type AgentMigration,
  type AgentRequest,
  type AgentRole,
} from './protocol.js';

export function buildAgentRequest(
  role: AgentRole,
  migrations: readonly MigrationNode[],
  catalogs: Catalogs,
  minConfidence: number,
): AgentRequest {
  const sourceTables = migrations.flatMap((m) => present(findTable(catalogs.source, m.from)));
  const targetTables = migrations.flatMap((m) => present(findTable(catalogs.target, m.to)));
  const referenced = targetTables.flatMap((t) =>
    t.foreignKeys.flatMap((fk) =>
      present(findTable(catalogs.target, { schema: fk.referencedSchema, name: fk.referencedTable })),
    ),
  );
  return {
    protocol: AGENT_PROTOCOL_VERSION,
    role,
    minConfidence,
    source: subset(catalogs.source, sourceTables),
    target: subset(catalogs.target, [...targetTables, ...referenced]),
    migrations: migrations.map((m) => agentMigration(m, findTable(catalogs.target, m.to))),
  };
}

function present<T>(value: T | undefined): T[] {
  return value === undefined ? [] : [value];
}

function subset(catalog: Catalog, tables: readonly CatalogTable[]): Catalog {
  const unique = [...new Map(tables.map((t) => [`${t.schema}\u0000${t.name}`, t])).values()];
  unique.sort((a, b) => (a.schema === b.schema ? (a.name < b.name ? -1 : 1) : a.schema < b.schema ? -1 : 1));
  return { ...catalog, tables: unique };
}

function agentMigration(migration: MigrationNode, target: CatalogTable | undefined): AgentMigration {
  const declaredColumns = Object.fromEntries(
    migration.columns.map((c) => [
      c.target,
      {
        ...(c.from === undefined ? {} : { from: c.from }),
        ...(c.expr === undefined ? {} : { expr: c.expr }),
        ...(c.ref === undefined ? {} : { ref: c.ref }),
        ...(c.omit ? { omit: true as const } : {}),
      },
    ]),
  );
  const complete = new Set(
    migration.columns
      .filter((c) => c.from !== undefined || c.expr !== undefined || c.omit)
      .map((c) => c.target),
  );
  const openColumns = (target?.columns ?? [])
    .filter((c) => !c.generated && !complete.has(c.name))
    .map((c) => c.name);
  return {
    name: migration.name,
    from: migration.from,
    to: migration.to,
    keys: migration.keys,
    ...(migration.class === undefined ? {} : { class: migration.class }),
    declaredColumns,
    openColumns,
    ...(migration.where === undefined ? {} : { where: migration.where }),
  };
}
