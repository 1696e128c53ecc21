// Agent requests built from real databases: the reference workload's SQL and the examples are run on
// the test server, both databases are introspected, and the specs become the request's migrations.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  AGENT_PROTOCOL_VERSION,
  type AgentMigration,
  AgentRequest,
  type AgentRole,
} from '../../src/agents/protocol.js';
import { introspectPostgres } from '../../src/catalog/postgres/introspect.js';
import type { Catalog } from '../../src/catalog/types.js';
import { loadSpecs } from '../../src/spec/load.js';
import type { MigrationSpec, QualifiedName } from '../../src/spec/types.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface WorkloadFiles {
  readonly label: string;
  readonly specsDir: string;
  readonly sourceSql: string;
  readonly targetSql: string;
  /** psql variables (`:scale`) replaced in the source SQL's text. */
  readonly variables?: Readonly<Record<string, string>>;
}

export interface Workload {
  readonly source: Catalog;
  readonly target: Catalog;
  readonly migrations: readonly AgentMigration[];
  readonly databases: readonly TestDatabase[];
}

export const REFERENCE_WORKLOAD = (scale: string): WorkloadFiles => ({
  label: `reference_${scale.replace('.', '_')}`,
  specsDir: 'specs',
  sourceSql: 'bench/workload/legacy_source.sql',
  targetSql: 'bench/workload/legacy_target.sql',
  variables: { scale },
});

export const HR_WORKLOAD: WorkloadFiles = {
  label: 'hr',
  specsDir: 'examples/hr/specs',
  sourceSql: 'examples/hr/source.sql',
  targetSql: 'examples/hr/target.sql',
};

export const SHOP_WORKLOAD: WorkloadFiles = {
  label: 'shop',
  specsDir: 'examples/shop/specs',
  sourceSql: 'examples/shop/source.sql',
  targetSql: 'examples/shop/target.sql',
};

/** Builds both databases, introspects them and turns the specs into agent migrations. */
export async function buildWorkload(files: WorkloadFiles): Promise<Workload> {
  const { specs, diagnostics } = await loadSpecs(`${ROOT}${files.specsDir}`, { requireEnv: false });
  if (!specs) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  const databases: TestDatabase[] = [];
  try {
    const source = await createDatabaseFrom(
      `${files.label}_src`,
      files.sourceSql,
      files.variables,
      databases,
    );
    const target = await createDatabaseFrom(`${files.label}_tgt`, files.targetSql, {}, databases);
    const [sourceCatalog, targetCatalog] = await Promise.all([readCatalog(source), readCatalog(target)]);
    const migrations = specs.migrations.map((spec) => agentMigration(spec, targetCatalog));
    return { source: sourceCatalog, target: targetCatalog, migrations, databases };
  } catch (error) {
    await dropAll(databases);
    throw error;
  }
}

export async function dropAll(databases: readonly TestDatabase[]): Promise<void> {
  for (const db of databases) await db.drop();
}

/**
 * The request the compiler would send: the source tables the migrations read, the target tables they
 * write plus the tables those reference. Parsed with the protocol's schema, as an external agent's is.
 */
export function requestFor(
  role: AgentRole,
  workload: Pick<Workload, 'source' | 'target' | 'migrations'>,
): AgentRequest {
  const read = new Set(workload.migrations.map((m) => key(m.from)));
  const written = new Set(workload.migrations.map((m) => key(m.to)));
  const referenced = workload.target.tables
    .filter((t) => written.has(key(t)))
    .flatMap((t) => t.foreignKeys.map((fk) => `${fk.referencedSchema}.${fk.referencedTable}`));
  const targetTables = new Set([...written, ...referenced]);
  return AgentRequest.parse({
    protocol: AGENT_PROTOCOL_VERSION,
    role,
    minConfidence: 0.8,
    source: { ...workload.source, tables: workload.source.tables.filter((t) => read.has(key(t))) },
    target: { ...workload.target, tables: workload.target.tables.filter((t) => targetTables.has(key(t))) },
    migrations: workload.migrations,
  });
}

function key(name: QualifiedName): string {
  return `${name.schema}.${name.name}`;
}

/** What the spec says about each column, and the target columns it leaves open (generated keys aside). */
function agentMigration(spec: MigrationSpec, target: Catalog): AgentMigration {
  const table = target.tables.find((t) => key(t) === key(spec.to));
  const declaredColumns = Object.fromEntries(
    [...spec.columns].map(([column, { location: _, ...declared }]) => [column, declared]),
  );
  const generatedKey = new Set(spec.keys === 'generate' ? (table?.primaryKey ?? []) : []);
  const openColumns = (table?.columns ?? [])
    .map((c) => c.name)
    .filter((c) => !(c in declaredColumns) && !generatedKey.has(c));
  return {
    name: spec.name,
    from: spec.from,
    to: spec.to,
    keys: spec.keys,
    ...(spec.class === undefined ? {} : { class: spec.class }),
    declaredColumns,
    openColumns,
    ...(spec.where === undefined ? {} : { where: spec.where }),
  };
}

async function createDatabaseFrom(
  label: string,
  file: string,
  variables: Readonly<Record<string, string>> = {},
  created: TestDatabase[],
): Promise<TestDatabase> {
  let sql = await readFile(`${ROOT}${file}`, 'utf8');
  for (const [name, value] of Object.entries(variables)) sql = sql.replaceAll(`:${name}`, value);
  const db = await createTestDatabase(label);
  created.push(db);
  await db.query(sql);
  return db;
}

async function readCatalog(db: TestDatabase): Promise<Catalog> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return await introspectPostgres(client);
  } finally {
    await client.end();
  }
}
