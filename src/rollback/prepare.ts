// What rolling back one migration takes, decided before anything is deleted: its target table, how
// its rows are found (key mapping or committed key intervals), and what its state records. A
// migration whose rows cannot be told from others is refused here, before the transaction begins.

import type { Catalog, CatalogTable } from '../catalog/types.js';
import { findTable } from '../compiler/catalog-checks.js';
import type { MigrationNode, Plan } from '../compiler/plan.js';
import { errorDiagnostic, FerryError } from '../errors.js';
import { stateTableName } from '../runner/batch-layout.js';
import { batchKeyColumns } from '../runner/batch-sql.js';
import type { WholeTableSource } from '../source/dialect.js';
import { splitQualifiedName } from '../spec/qualified-name.js';
import type { KeyStrategy, QualifiedName } from '../spec/types.js';
import type { MigrationControl } from '../state/control.js';
import { quoteQualifiedName } from '../util/sql.js';
import { doneIntervals, type RecordedBatch } from './intervals.js';
import { preserveLayout } from './key-carriers.js';
import { closeIntervals, generatedRows, type OwnedRows, preservedRows } from './owned-rows.js';

export interface BatchRecord extends RecordedBatch {
  /** Rows the batch loaded (done batches). */
  readonly rows: number;
}

export interface PreparedMigration {
  readonly migration: string;
  /** Absent when ferry cannot name it and has nothing to delete from it. */
  readonly table?: QualifiedName;
  readonly keys: KeyStrategy;
  /** The specs still have the migration. */
  readonly inSpecs: boolean;
  /** Absent when the migration committed no batch: only its state is reset. */
  readonly owned?: OwnedRows;
  readonly rowsLoaded: number;
  readonly batchesDone: number;
  readonly batchesReset: number;
}

export interface PrepareContext {
  readonly plan: Plan;
  /** The source catalog the plan was resolved against. */
  readonly source: Catalog;
  /** The target as it is now, introspected under the run lock. */
  readonly target: Catalog;
  /** Names of the tables in `_ferry`. */
  readonly stateTables: ReadonlySet<string>;
  /** The source connection, opened (and aligned with the target's session) on first use. */
  readonly openSource: () => Promise<WholeTableSource>;
}

/**
 * Decides how `control`'s migration is rolled back. Throws `rollback.unsupported` when its rows cannot
 * be found: a batch key carried by an expression, or a migration that kept its source keys but that
 * the specs no longer describe.
 */
export async function prepareMigration(
  control: MigrationControl,
  batches: readonly BatchRecord[],
  context: PrepareContext,
): Promise<PreparedMigration> {
  const name = control.migration;
  const done = batches.filter((b) => b.status === 'done');
  const node = context.plan.migrations.find((m) => m.name === name);
  const described = node !== undefined && describes(node, control, context.source);
  const mapped = context.stateTables.has(stateTableName('keymap', name).name);
  const keys: KeyStrategy = described ? node.keys : mapped ? 'generate' : 'preserve';
  const table = described ? node.to : recordedTable(control);
  const prepared: PreparedMigration = {
    migration: name,
    ...(table ? { table } : {}),
    keys,
    inSpecs: node !== undefined,
    rowsLoaded: done.reduce((sum, b) => sum + b.rows, 0),
    batchesDone: done.length,
    batchesReset: batches.length,
  };
  if (done.length === 0) return prepared;
  const targetTable = table && findTable(context.target, table);
  // A target table dropped since took its rows with it: only the state is left to reset.
  if (!targetTable) return prepared;
  if (keys === 'generate') return { ...prepared, owned: generated(name, targetTable, mapped) };
  if (!described || !node) throw notDescribed(control, targetTable, node !== undefined);
  const layout = preserveLayout(node, context);
  const source = await context.openSource();
  const intervals = await closeIntervals(
    { sql: source.sql, relation: await source.relationOf(node) },
    node,
    layout.sourceKey,
    doneIntervals(done),
  );
  return { ...prepared, owned: preservedRows(name, targetTable, layout, intervals) };
}

/** The spec still names the table and batch key the rows were written with. */
function describes(node: MigrationNode, control: MigrationControl, source: Catalog): boolean {
  if (control.targetTable !== null && control.targetTable !== quoteQualifiedName(node.to)) return false;
  if (control.keyColumns === null) return true;
  const sourceTable = findTable(source, node.from);
  if (!sourceTable) return false;
  const key = batchKeyColumns(node, sourceTable).map((c) => c.name);
  return key.length === control.keyColumns.length && key.every((c, i) => c === control.keyColumns?.[i]);
}

/** The target table `_ferry` recorded for the migration, as apply printed it (quoted). */
export function recordedTable(control: MigrationControl): QualifiedName | undefined {
  if (control.targetTable === null) return undefined;
  const parsed = splitQualifiedName(control.targetTable);
  if ('error' in parsed || parsed.parts.length !== 2) return undefined;
  const [schema, name] = parsed.parts as [string, string];
  return { schema, name };
}

function generated(migration: string, table: CatalogTable, mapped: boolean): OwnedRows {
  const key = table.primaryKey?.length === 1 ? table.primaryKey[0] : undefined;
  if (!mapped || key === undefined) {
    const why = mapped
      ? `${quoteQualifiedName(table)} has no one-column primary key to match its key mapping against`
      : `its key mapping ${quoteQualifiedName(stateTableName('keymap', migration))} is missing`;
    throw new FerryError(
      errorDiagnostic(
        'rollback.unsupported',
        `\`${migration}\` generated its keys, but ${why}: ferry cannot tell the rows it wrote`,
        {
          hint: `leave \`${migration}\` out (--exclude ${migration}) and delete its rows yourself`,
        },
      ),
    );
  }
  return generatedRows(migration, table, key, stateTableName('keymap', migration));
}

function notDescribed(control: MigrationControl, table: CatalogTable, inSpecs: boolean): FerryError {
  const name = control.migration;
  const why = inSpecs
    ? 'its spec now names another target table or batch key than it was applied with'
    : 'it is no longer in the specs';
  return new FerryError(
    errorDiagnostic(
      'rollback.unsupported',
      `\`${name}\` kept its source keys and ${why}: without the mapping it was applied with, ferry cannot tell the rows it wrote into ${quoteQualifiedName(table)} from other rows`,
      {
        hint: `put its spec back as it was applied and run \`ferry plan\` before rolling back, or leave it out (--exclude ${name}) and delete its rows yourself`,
      },
    ),
  );
}
