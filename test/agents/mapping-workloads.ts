// Real catalogs for the mapping agent's tests: the reference workload's and the examples' SQL run on
// the test server and introspected, and requests built from them with every declared column removed.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { AGENT_PROTOCOL_VERSION, type AgentMigration, AgentRequest } from '../../src/agents/protocol.js';
import { introspectPostgres } from '../../src/catalog/postgres/introspect.js';
import type { Catalog } from '../../src/catalog/types.js';
import { loadSpecs } from '../../src/spec/load.js';
import type { MigrationSpec } from '../../src/spec/types.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Scenario {
  readonly label: string;
  readonly specsDir: string;
  readonly sourceSql: string;
  readonly targetSql: string;
  readonly variables?: Readonly<Record<string, string>>;
}

export const REFERENCE: Scenario = {
  label: 'mapping_reference',
  specsDir: 'specs',
  sourceSql: 'bench/workload/legacy_source.sql',
  targetSql: 'bench/workload/legacy_target.sql',
  variables: { scale: '0.001' },
};

export const HR: Scenario = {
  label: 'mapping_hr',
  specsDir: 'examples/hr/specs',
  sourceSql: 'examples/hr/source.sql',
  targetSql: 'examples/hr/target.sql',
};

export const SHOP: Scenario = {
  label: 'mapping_shop',
  specsDir: 'examples/shop/specs',
  sourceSql: 'examples/shop/source.sql',
  targetSql: 'examples/shop/target.sql',
};

export interface LoadedScenario {
  readonly source: Catalog;
  readonly target: Catalog;
  readonly specs: readonly MigrationSpec[];
  readonly databases: readonly TestDatabase[];
}

async function databaseFrom(label: string, file: string, variables: Readonly<Record<string, string>>) {
  let sql = await readFile(`${ROOT}${file}`, 'utf8');
  for (const [name, value] of Object.entries(variables)) sql = sql.replaceAll(`:${name}`, value);
  const db = await createTestDatabase(label);
  try {
    await db.query(sql);
  } catch (error) {
    await db.drop();
    throw error;
  }
  return db;
}

async function introspect(db: TestDatabase): Promise<Catalog> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return await introspectPostgres(client);
  } finally {
    await client.end();
  }
}

/** Builds both databases of a scenario, introspects them and loads its specs. */
export async function loadScenario(scenario: Scenario): Promise<LoadedScenario> {
  const { specs, diagnostics } = await loadSpecs(`${ROOT}${scenario.specsDir}`, { requireEnv: false });
  if (!specs) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  const source = await databaseFrom(`${scenario.label}_src`, scenario.sourceSql, scenario.variables ?? {});
  const target = await databaseFrom(`${scenario.label}_tgt`, scenario.targetSql, {}).catch(async (error) => {
    await source.drop();
    throw error;
  });
  const [sourceCatalog, targetCatalog] = await Promise.all([introspect(source), introspect(target)]);
  return {
    source: sourceCatalog,
    target: targetCatalog,
    specs: specs.migrations,
    databases: [source, target],
  };
}

/** The spec's table pair and key strategy only: every target column is left open. */
export function undeclaredMigration(spec: MigrationSpec, target: Catalog): AgentMigration {
  const table = target.tables.find((t) => t.schema === spec.to.schema && t.name === spec.to.name);
  return {
    name: spec.name,
    from: spec.from,
    to: spec.to,
    keys: spec.keys,
    declaredColumns: {},
    openColumns: (table?.columns ?? []).map((c) => c.name),
  };
}

/** A mapping request over the scenario's catalogs, parsed by the protocol's schema like an external one. */
export function mappingRequest(
  loaded: Pick<LoadedScenario, 'source' | 'target'>,
  migrations: readonly AgentMigration[],
  minConfidence = 0.8,
): AgentRequest {
  return AgentRequest.parse({
    protocol: AGENT_PROTOCOL_VERSION,
    role: 'mapping',
    minConfidence,
    source: loaded.source,
    target: loaded.target,
    migrations,
  });
}
