// Every value of a resolved plan tried on the real source before anything moves: each copied column
// and `expr`, converted to its target column's type, and each `where`, run without reading a row in a
// read-only transaction. PostgreSQL itself then says what does not exist or does not convert.

import type pg from 'pg';
import { type Diagnostic, errorDiagnostic } from '../errors.js';
import { embedExpression } from '../spec/expression.js';
import { quoteIdentifier, quoteQualifiedName } from '../util/sql.js';
import { type Catalogs, findTable } from './catalog-checks.js';
import type { ColumnPlan, MigrationNode, Plan } from './plan.js';

interface Probe {
  readonly sql: string;
  readonly subject: string;
  readonly migration: MigrationNode;
  readonly column?: ColumnPlan;
}

/** Runs the probes of every migration; returns one diagnostic per value PostgreSQL refuses. */
export async function checkAgainstSource(
  client: pg.ClientBase,
  plan: Plan,
  catalogs: Catalogs,
  /** The relation a migration's source rows are read from; the source table itself by default. */
  relation: (migration: MigrationNode) => string = (migration) => quoteQualifiedName(migration.from),
): Promise<Diagnostic[]> {
  const probes = plan.migrations.flatMap((migration) => probesOf(migration, catalogs, relation(migration)));
  if (probes.length === 0) return [];
  const diagnostics: Diagnostic[] = [];
  await client.query('BEGIN READ ONLY');
  try {
    for (const probe of probes) {
      await client.query('SAVEPOINT ferry_probe');
      try {
        // The extended protocol runs one statement only, whatever the text: a second line of defence
        // behind the parser's check of every expr and where (pg knows queryMode; its types do not).
        await client.query({ text: probe.sql, queryMode: 'extended' } as pg.QueryConfig);
        await client.query('RELEASE SAVEPOINT ferry_probe');
      } catch (error) {
        await client.query('ROLLBACK TO SAVEPOINT ferry_probe');
        diagnostics.push(refused(probe, error));
      }
    }
  } finally {
    await client.query('ROLLBACK').catch(() => {});
  }
  return diagnostics;
}

function probesOf(migration: MigrationNode, catalogs: Catalogs, from: string): Probe[] {
  const target = findTable(catalogs.target, migration.to);
  const probes: Probe[] = migration.columns.flatMap((column) => {
    if (column.omit || (column.from === undefined && column.expr === undefined)) return [];
    const type = target?.columns.find((c) => c.name === column.target)?.type;
    if (type === undefined) return [];
    const value =
      column.expr !== undefined ? embedExpression(column.expr) : quoteIdentifier(column.from as string);
    // A `ref` is translated through its parent's key mapping; what must hold here is only that it reads.
    const converted = column.ref === undefined ? `CAST(${value} AS ${type})` : value;
    return [
      {
        sql: `SELECT ${converted} FROM ${from} WHERE false`,
        subject: `${migration.name}.${column.target}`,
        migration,
        column,
      },
    ];
  });
  if (migration.where !== undefined) {
    probes.push({
      sql: `SELECT 1 FROM ${from} WHERE ${embedExpression(migration.where)} LIMIT 0`,
      subject: `${migration.name} where`,
      migration,
    });
  }
  return probes;
}

function refused(probe: Probe, error: unknown): Diagnostic {
  const reason = error instanceof Error ? error.message : String(error);
  const origin = probe.column?.origin;
  const inferredBy = origin?.kind === 'inferred' ? ` (inferred by agent ${origin.agent})` : '';
  return errorDiagnostic('catalog.expression', `${probe.subject}${inferredBy}: ${reason}`, {
    hint: probe.column
      ? 'fix the expression or column in the spec, or add the cast that converts it to the target column type'
      : 'fix the `where` of the spec: one boolean expression over the source table columns',
    location: probe.column?.location ?? probe.migration.location,
  });
}
