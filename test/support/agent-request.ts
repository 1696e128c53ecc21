// Agent requests as ferry sends them, over synthetic catalogs or over a workload's databases introspected
// on the test server with its specs as the migrations; parsed with the protocol's schema, as an
// external agent's request is.

import { join } from 'node:path';
import { beforeAll } from 'vitest';
import {
  AGENT_PROTOCOL_VERSION,
  type AgentMigration,
  AgentRequest,
  type AgentRole,
} from '../../src/agents/protocol.js';
import type { Catalog } from '../../src/catalog/types.js';
import { loadSpecs } from '../../src/spec/load.js';
import type { MigrationSpec, QualifiedName } from '../../src/spec/types.js';
import { introspectDatabase } from './database.js';
import { ROOT, type WorkloadFiles, workloadDatabases } from './workload.js';

export interface IntrospectedWorkload {
  readonly source: Catalog;
  readonly target: Catalog;
  readonly specs: readonly MigrationSpec[];
  /** The specs as agents see them (see declaredMigration). */
  readonly migrations: readonly AgentMigration[];
}

/** Loads the specs, builds both databases and introspects them; the databases are dropped once read. */
export async function introspectWorkload(files: WorkloadFiles): Promise<IntrospectedWorkload> {
  const { specs, diagnostics } = await loadSpecs(join(ROOT, files.specsDir), { requireEnv: false });
  if (!specs) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  const databases = await workloadDatabases(files.label, files);
  try {
    const [source, target] = await Promise.all([
      introspectDatabase(databases.source),
      introspectDatabase(databases.target),
    ]);
    const migrations = specs.migrations.map((spec) => declaredMigration(spec, target));
    return { source, target, specs: specs.migrations, migrations };
  } finally {
    await databases.source.drop();
    await databases.target.drop();
  }
}

/** The workload introspected once before the tests of the calling describe block. */
export function useWorkload(files: WorkloadFiles): () => IntrospectedWorkload {
  let loaded: IntrospectedWorkload | undefined;
  beforeAll(async () => {
    loaded = await introspectWorkload(files);
  });
  return () => {
    if (!loaded) throw new Error(`${files.label} did not load`);
    return loaded;
  };
}

/** Parsed like an external agent's request, so a fixture the protocol would refuse fails here. */
export function agentRequest(
  role: AgentRole,
  source: Catalog,
  target: Catalog,
  migrations: readonly AgentMigration[],
  minConfidence = 0.8,
): AgentRequest {
  return AgentRequest.parse({
    protocol: AGENT_PROTOCOL_VERSION,
    role,
    minConfidence,
    source,
    target,
    migrations,
  });
}

/**
 * The request the compiler would send: the source tables the migrations read, the target tables they
 * write plus the tables those reference.
 */
export function requestFor(
  role: AgentRole,
  workload: Pick<IntrospectedWorkload, 'source' | 'target' | 'migrations'>,
): AgentRequest {
  const read = new Set(workload.migrations.map((m) => key(m.from)));
  const written = new Set(workload.migrations.map((m) => key(m.to)));
  const referenced = workload.target.tables
    .filter((t) => written.has(key(t)))
    .flatMap((t) => t.foreignKeys.map((fk) => `${fk.referencedSchema}.${fk.referencedTable}`));
  const targetTables = new Set([...written, ...referenced]);
  return agentRequest(
    role,
    { ...workload.source, tables: workload.source.tables.filter((t) => read.has(key(t))) },
    { ...workload.target, tables: workload.target.tables.filter((t) => targetTables.has(key(t))) },
    workload.migrations,
  );
}

function key(name: QualifiedName): string {
  return `${name.schema}.${name.name}`;
}

function qualifiedName(name: string | QualifiedName): QualifiedName {
  if (typeof name !== 'string') return name;
  const [schema = '', table = ''] = name.split('.');
  return { schema, name: table };
}

/** What the spec says about each column, as agents are told it. */
export function declaredColumns(spec: MigrationSpec): AgentMigration['declaredColumns'] {
  return Object.fromEntries(
    [...spec.columns].map(([column, { location: _, ...declared }]) => [column, declared]),
  );
}

/** What a synthetic migration says besides its name and tables. */
export type MigrationExtras = Partial<Omit<AgentMigration, 'name' | 'from' | 'to'>>;

/**
 * A migration whose open columns are the target table's columns `declaredColumns` leaves out, or gives
 * a bare `ref` (their source column is still to be found): every column unless told otherwise.
 */
export function migration(
  name: string,
  from: string | QualifiedName,
  to: string | QualifiedName,
  target: Catalog,
  extra: MigrationExtras = {},
): AgentMigration {
  const { keys = 'preserve', declaredColumns: declared = {}, openColumns, ...rest } = extra;
  const toName = qualifiedName(to);
  const table = target.tables.find((t) => key(t) === key(toName));
  return {
    name,
    from: qualifiedName(from),
    to: toName,
    keys,
    declaredColumns: declared,
    openColumns:
      openColumns ??
      (table?.columns ?? [])
        .map((c) => c.name)
        .filter((c) => declared[c] === undefined || isRefOnly(declared[c])),
    ...rest,
  };
}

function isRefOnly(declared: AgentMigration['declaredColumns'][string] | undefined): boolean {
  return declared?.ref !== undefined && declared.from === undefined && declared.expr === undefined;
}

/**
 * The spec as written, its class and where included; open are the target columns it leaves undeclared,
 * apart from a key the target generates.
 */
export function declaredMigration(spec: MigrationSpec, target: Catalog): AgentMigration {
  const table = target.tables.find((t) => key(t) === key(spec.to));
  const declared = declaredColumns(spec);
  const generatedKey = new Set(spec.keys === 'generate' ? (table?.primaryKey ?? []) : []);
  const openColumns = (table?.columns ?? [])
    .map((c) => c.name)
    .filter((c) => !(c in declared) && !generatedKey.has(c));
  return {
    name: spec.name,
    from: spec.from,
    to: spec.to,
    keys: spec.keys,
    ...(spec.class === undefined ? {} : { class: spec.class }),
    declaredColumns: declared,
    openColumns,
    ...(spec.where === undefined ? {} : { where: spec.where }),
  };
}
