// One migration checked against its source: the phase it reached, its row counts with what apply left
// out on purpose, its values compared by fingerprints and narrowed to the rows at fault, and its
// target's foreign keys checked for orphans. Reads only; source and target queries run side by side.

import pg from 'pg';
import type { CatalogTable } from '../catalog/types.js';
import { mappingHash } from '../compiler/mapping-hash.js';
import type { BatchLayout } from '../runner/batch-layout.js';
import { embedExpression } from '../spec/expression.js';
import type { OnOrphan } from '../spec/types.js';
import { quoteQualifiedName } from '../util/sql.js';
import { type Category, differingColumns, type FirstLevel, firstLevel, sidesOf } from './aggregates.js';
import { buildComparison, type ComparedColumn, type Comparison, type TypeFacts } from './comparison.js';
import { findOrphans } from './fk-orphans.js';
import { narrowDifferences } from './narrow.js';
import { findSequencesBehind } from './sequences.js';
import type { MigrationVerdict, RowProblem, RowProblemKind, VerifyStatus } from './types.js';
import { unlocatedRows } from './unlocated.js';
import type { AppliedState } from './verify-state.js';

/** Rows named per migration (and per foreign key) at most. */
export const ROWS_SHOWN = 20;

export interface MigrationCheck {
  readonly layout: BatchLayout;
  readonly targetTable: CatalogTable;
  readonly state: AppliedState | undefined;
  readonly types: TypeFacts;
}

interface Clients {
  readonly source: pg.ClientBase;
  readonly target: pg.ClientBase;
}

/**
 * The verdict on one migration.
 *
 * @example
 * const verdict = await verifyMigration({ source, target }, { layout, targetTable, state, types });
 * verdict.status; // → 'ok'
 */
export async function verifyMigration(clients: Clients, check: MigrationCheck): Promise<MigrationVerdict> {
  const phase = check.state?.control?.phase;
  if (phase !== 'done') return notDone(clients, check, phase ?? 'not applied');
  const state = check.state as AppliedState;
  const missingTables = await missingKeyMappings(clients.target, check.layout);
  if (missingTables.length > 0) {
    const [sourceRows, targetRows] = await rowCounts(clients, check.layout);
    return {
      ...base(check, 'mismatch', sourceRows, targetRows),
      problems: missingTables.map((t) => `the key mapping ${t} is missing: refs cannot be compared`),
    };
  }
  const skippedBatches = state.batches.filter((b) => b.status === 'done' && b.skipped > 0);
  const skipped = skippedBatches.reduce((sum, b) => sum + b.skipped, 0);
  const comparison = buildComparison({
    layout: check.layout,
    targetTable: check.targetTable,
    types: check.types,
    skippedBatches,
    hasRejects: state.rejectedKeys.length > 0,
  });
  const sides = sidesOf(comparison, clients, state.rejectedKeys);
  const [source, target] = await Promise.all([
    firstLevel(sides.source, comparison.columns.length),
    firstLevel(sides.target, comparison.columns.length),
  ]);
  const counts = checkCounts(source, target, skipped, comparison.skippedLocated);
  const compareValues = skipped === 0 || comparison.skippedLocated;
  const values = compareValues
    ? await checkValues(sides, comparison, source, target, check.layout.onOrphan)
    : { rows: [], problems: [], notes: [], unconfirmed: [] };
  const rows = [...values.rows];
  const unlocated = target.categories.get('unlocated') ?? 0;
  if (unlocated > 0) rows.push(...(await unlocatedRows(clients.target, comparison, ROWS_SHOWN)));
  const orphans = await findOrphans(clients.target, check.targetTable, comparison, ROWS_SHOWN);
  const sequences = await findSequencesBehind(clients.target, check.layout);
  const notes = [
    ...(skipped > 0 ? [skippedNote(skipped, skippedBatches.length, compareValues)] : []),
    ...values.notes,
    ...(comparison.located ? [] : [UNLOCATED_NOTE]),
  ];
  const recorded = state.control?.mappingHash;
  if (recorded && recorded !== mappingHash(check.layout.migration)) notes.push(OTHER_MAPPING_NOTE);
  const problems = [...counts.problems, ...values.problems];
  const clean = problems.length === 0 && rows.length === 0 && orphans.length === 0 && sequences.length === 0;
  return {
    ...base(check, clean ? 'ok' : 'mismatch', counts.sourceRows, counts.targetRows),
    rejected: counts.rejected,
    skipped,
    expectedRows: counts.expectedRows,
    checkedColumns: comparison.columns
      .map((c) => c.column)
      .filter((c) => compareValues && !values.unconfirmed.includes(c)),
    uncheckedColumns: comparison.columns.flatMap((c) => {
      if (!compareValues) return [{ column: c.column, reason: 'rows were skipped (onOrphan: skip)' }];
      if (values.unconfirmed.includes(c.column)) return [{ column: c.column, reason: UNCONFIRMED_NULLS }];
      return [];
    }),
    located: comparison.located,
    counts: countByKind(rows, unlocated),
    rows: sortRows(rows).slice(0, ROWS_SHOWN),
    orphans,
    sequences,
    problems,
    notes,
  };
}

/**
 * The target must hold the source's rows less the rejected (found among them by key) and the skipped
 * (counted per batch); where the batches with skipped rows can be told apart on the target, their
 * own count is checked too.
 */
function checkCounts(source: FirstLevel, target: FirstLevel, skipped: number, skippedLocated: boolean) {
  const count = (side: FirstLevel, category: Category) => side.categories.get(category) ?? 0;
  const total = (side: FirstLevel) => [...side.categories.values()].reduce((sum, n) => sum + n, 0);
  const sourceRows = total(source);
  const rejected = count(source, 'rejected');
  const expectedRows = sourceRows - rejected - skipped;
  const targetRows = total(target);
  const problems: string[] = [];
  if (targetRows !== expectedRows) {
    problems.push(`the target holds ${targetRows} rows where ${expectedRows} are expected`);
  }
  const expectedThere = count(source, 'skipped') - skipped;
  const heldThere = count(target, 'skipped');
  if (skipped > 0 && skippedLocated && heldThere !== expectedThere) {
    problems.push(
      `the batches with skipped rows hold ${heldThere} rows in the target where ${expectedThere} are expected`,
    );
  }
  return { sourceRows, rejected, expectedRows, targetRows, problems };
}

interface ValueCheck {
  readonly rows: readonly RowProblem[];
  readonly problems: readonly string[];
  readonly notes: readonly string[];
  /** Columns that differ table-wide in a way only located rows could explain. */
  readonly unconfirmed: readonly string[];
}

/** Located rows: narrowed to the rows at fault. Otherwise: which columns differ, table-wide. */
async function checkValues(
  sides: ReturnType<typeof sidesOf>,
  comparison: Comparison,
  source: FirstLevel,
  target: FirstLevel,
  onOrphan: OnOrphan,
): Promise<ValueCheck> {
  if (comparison.located) {
    const narrowed = await narrowDifferences(sides, comparison.columns, {
      source: source.segments,
      target: target.segments,
    });
    return {
      rows: narrowed.problems,
      problems:
        narrowed.unexamined > 0
          ? [`${narrowed.unexamined} more key segment(s) differ; their rows were not examined`]
          : [],
      notes:
        narrowed.nulledOrphans > 0
          ? [
              `${narrowed.nulledOrphans} ref value(s) are NULL in the target because their parent row was not migrated (onOrphan: ${onOrphan})`,
            ]
          : [],
      unconfirmed: [],
    };
  }
  const differing = differingColumns(
    source.segments.get(''),
    target.segments.get(''),
    comparison.columns.length,
  ).map((i) => comparison.columns[i] as ComparedColumn);
  // A ref set to NULL for a parent that was not migrated is right, but without located rows it
  // cannot be told from a wrong value: such a column is reported unchecked, not different.
  return {
    rows: [],
    problems: differing
      .filter((c) => !c.orphanNull)
      .map((c) => `the values of ${c.column} differ (rows cannot be located)`),
    notes: [],
    unconfirmed: differing.filter((c) => c.orphanNull).map((c) => c.column),
  };
}

/** Rows by kind over every segment examined; target rows without a source key all counted. */
function countByKind(
  rows: readonly RowProblem[],
  unlocated: number,
): Partial<Record<RowProblemKind, number>> {
  const counts: Partial<Record<RowProblemKind, number>> = unlocated > 0 ? { unmapped: unlocated } : {};
  for (const row of rows) if (row.kind !== 'unmapped') counts[row.kind] = (counts[row.kind] ?? 0) + 1;
  return counts;
}

const OTHER_MAPPING_NOTE =
  'applied with another mapping than ferry.lock holds now: compared against the current one';

const UNCONFIRMED_NULLS =
  'its values differ table-wide, which refs set to NULL for parents not migrated (onOrphan) explain only row by row';

const UNLOCATED_NOTE =
  'the batch key is not carried into the target as is (an expr), so rows cannot be located: values were compared table-wide';

function skippedNote(skipped: number, batches: number, compared: boolean): string {
  const what = `${skipped} row(s) skipped by onOrphan: skip in ${batches} batch(es)`;
  if (!compared) return `${what}: apply does not record which rows, so only the row count is checked`;
  return `${what}: apply does not record which rows, so those batches are checked by row count only`;
}

/**
 * `verifyMigration` inside a savepoint on both sides: a query the server refuses (a mapped value the
 * source cannot compute) becomes this migration's `error` verdict, and the others are still checked.
 */
export async function verifyMigrationGuarded(
  clients: Clients,
  check: MigrationCheck,
): Promise<MigrationVerdict> {
  const both = (sql: string) => Promise.all([clients.source.query(sql), clients.target.query(sql)]);
  await both('SAVEPOINT ferry_verify');
  try {
    const verdict = await verifyMigration(clients, check);
    await both('RELEASE SAVEPOINT ferry_verify');
    return verdict;
  } catch (error) {
    if (!(error instanceof pg.DatabaseError) || error.code?.startsWith('08') || error.code?.startsWith('57'))
      throw error;
    await both('ROLLBACK TO SAVEPOINT ferry_verify');
    const [sourceRows, targetRows] = await rowCounts(clients, check.layout);
    return {
      ...base(check, 'error', sourceRows, targetRows),
      problems: [`the comparison failed: ${error.message}${error.hint ? ` (${error.hint})` : ''}`],
    };
  }
}

async function notDone(
  clients: Clients,
  check: MigrationCheck,
  status: VerifyStatus,
): Promise<MigrationVerdict> {
  const [sourceRows, targetRows] = await rowCounts(clients, check.layout);
  return base(check, status, sourceRows, targetRows);
}

function base(
  check: MigrationCheck,
  status: VerifyStatus,
  sourceRows: number,
  targetRows: number,
): MigrationVerdict {
  return {
    migration: check.layout.migration.name,
    status,
    keyColumns: check.layout.sourceKey.map((c) => c.name),
    sourceRows,
    rejected: 0,
    skipped: 0,
    expectedRows: null,
    targetRows,
    checkedColumns: [],
    uncheckedColumns: [],
    located: true,
    counts: {},
    rows: [],
    orphans: [],
    sequences: [],
    problems: [],
    notes: [],
  };
}

async function rowCounts({ source, target }: Clients, layout: BatchLayout): Promise<[number, number]> {
  const where =
    layout.migration.where === undefined ? '' : ` WHERE ${embedExpression(layout.migration.where)}`;
  const [s, t] = await Promise.all([
    source.query<{ n: string }>(`SELECT count(*) AS n FROM ${layout.sourceRelation}${where}`),
    target.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteQualifiedName(layout.migration.to)}`),
  ]);
  return [Number(s.rows[0]?.n ?? 0), Number(t.rows[0]?.n ?? 0)];
}

/** The key mapping tables the comparison joins: the migration's own, and those of its refs' parents. */
async function missingKeyMappings(target: pg.ClientBase, layout: BatchLayout): Promise<string[]> {
  const tables = [
    ...(layout.mappingTable ? [layout.mappingTable] : []),
    ...layout.columns.flatMap((c) => (c.ref?.kind === 'mapping' ? [c.ref.table] : [])),
  ].map(quoteQualifiedName);
  if (tables.length === 0) return [];
  const { rows } = await target.query<{ name: string }>(
    'SELECT name FROM unnest($1::text[]) name WHERE to_regclass(name) IS NULL',
    [[...new Set(tables)]],
  );
  return rows.map((r) => r.name);
}

/**
 * By source key, numbers in numeric order, so the first rows named are the first of the table; rows
 * without a source key (named by their target key) after them.
 */
function sortRows(rows: readonly RowProblem[]): RowProblem[] {
  const rank = (row: RowProblem) => (row.kind === 'unmapped' ? 1 : 0);
  const keyOf = (row: RowProblem) => (row.kind === 'unmapped' ? (row.targetKey ?? []) : row.key);
  return [...rows].sort((a, b) => rank(a) - rank(b) || compareKeys(keyOf(a), keyOf(b)));
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const order = (a[i] ?? '').localeCompare(b[i] ?? '', 'en', { numeric: true });
    if (order !== 0) return order;
  }
  return 0;
}
