// One migration's batches, exactly once: each batch is claimed from _ferry, its rows copied and its
// completion recorded in ONE target transaction, so a crash anywhere leaves all of a batch or none.
// A violation rolls the batch back and pauses the migration; the next apply resumes there.

import type pg from 'pg';
import type { CatalogTable } from '../catalog/types.js';
import type { MigrationNode } from '../compiler/plan.js';
import { errorDiagnostic, FerryError } from '../errors.js';
import {
  batchProgress,
  claimBatch,
  completeBatch,
  failBatch,
  pauseBatch,
  readMigrationControl,
  recordBatches,
  releaseLeases,
  requeueBatches,
  setMigrationPhase,
} from '../state/index.js';
import { quoteQualifiedName } from '../util/sql.js';
import { batchKeyColumns, batchSelectSql, targetColumnList } from './batch-sql.js';
import { copyBatch } from './copy-batch.js';
import type { RunnerEvent } from './events.js';
import { planKeyRanges } from './key-ranges.js';
import { asViolation, type Violation } from './violation.js';

/** A batch that has not committed within this long may be claimed again by another worker. */
const LEASE_SECONDS = 600;

export interface Connections {
  readonly source: pg.Client;
  readonly target: pg.Client;
}

export interface MigrationRun {
  readonly migration: MigrationNode;
  readonly sourceTable: CatalogTable;
  readonly runId: string;
  readonly worker: string;
  /** Opens a source and a target connection whose sessions are aligned (see session.ts). */
  readonly connect: () => Promise<Connections>;
  readonly emit: (event: RunnerEvent) => void;
}

export type MigrationOutcome =
  | { readonly status: 'done'; readonly rows: number }
  | { readonly status: 'paused'; readonly violation: Violation; readonly batchNo: number };

export async function runMigration(run: MigrationRun): Promise<MigrationOutcome> {
  const { migration } = run;
  const key = batchKeyColumns(migration, run.sourceTable);
  if (key.length === 0) {
    throw new FerryError(
      errorDiagnostic(
        'apply.no-key',
        `${quoteQualifiedName(migration.from)} has no primary key to cut \`${migration.name}\` into batches`,
        {
          hint: 'add batch: { key: [column, …] } to the spec, naming unique NOT NULL source columns',
          location: migration.location,
        },
      ),
    );
  }
  const setup = await run.connect();
  try {
    await prepareBatches(run, setup, key);
  } finally {
    await closeAll(setup);
  }
  const loops = Math.max(1, migration.batch.parallelism ?? 1);
  const outcomes = await Promise.all(
    Array.from({ length: loops }, (_, i) => claimLoop(run, `${run.worker}/${i + 1}`)),
  );
  const paused = outcomes.find((o) => o?.status === 'paused');
  const state = await run.connect();
  try {
    if (paused) return paused;
    const progress = await batchProgress(state.target, migration.name);
    const unfinished = progress.reduce((sum, p) => sum + p.pending + p.running + p.paused + p.failed, 0);
    if (unfinished > 0)
      throw new Error(`${migration.name}: ${unfinished} batches are not done after every worker finished`);
    const rows = progress.reduce((sum, p) => sum + p.rows, 0);
    await setMigrationPhase(state.target, migration.name, 'done', { rowsLoaded: rows, runId: run.runId });
    run.emit({ type: 'migration-done', migration: migration.name, rows });
    return { status: 'done', rows };
  } finally {
    await closeAll(state);
  }
}

/** Records the key ranges the first time; on a later run resumes what a pause or a crash left. */
async function prepareBatches(
  run: MigrationRun,
  { source, target }: Connections,
  key: ReturnType<typeof batchKeyColumns>,
) {
  const { migration } = run;
  const [control] = await readMigrationControl(target, migration.name);
  const recorded = (await batchProgress(target, migration.name)).reduce((sum, p) => sum + p.batches, 0);
  if (recorded === 0) {
    const batchSize = typeof migration.batch.size === 'number' ? migration.batch.size : 10_000;
    const ranges = await planKeyRanges(source, {
      table: migration.from,
      key,
      ...(migration.where === undefined ? {} : { where: migration.where }),
      batchSize,
    });
    await recordBatches(target, migration.name, ranges);
  }
  if (control?.phase === 'paused' || control?.phase === 'failed')
    await requeueBatches(target, migration.name);
  await releaseLeases(target, migration.name);
  await setMigrationPhase(target, migration.name, 'loading', {
    specHash: migration.specHash,
    sourceTable: quoteQualifiedName(migration.from),
    targetTable: quoteQualifiedName(migration.to),
    keyColumns: key.map((c) => c.name),
    runId: run.runId,
    pausedReason: null,
  });
  const total = (await batchProgress(target, migration.name)).reduce((sum, p) => sum + p.batches, 0);
  run.emit({ type: 'migration-started', migration: migration.name, batches: total });
}

async function claimLoop(run: MigrationRun, worker: string): Promise<MigrationOutcome | undefined> {
  const { migration } = run;
  const connections = await run.connect();
  const { source, target } = connections;
  try {
    for (;;) {
      const batch = await claimBatch(target, {
        migration: migration.name,
        worker,
        leaseSeconds: LEASE_SECONDS,
      });
      if (!batch) return undefined;
      try {
        await target.query('BEGIN');
        const { rows } = await copyBatch({
          source,
          target,
          selectSql: batchSelectSql(migration, run.sourceTable, batch.range),
          targetTable: migration.to,
          targetColumns: targetColumnList(migration),
        });
        await completeBatch(target, { ...batch, rows });
        await target.query('COMMIT');
        run.emit({ type: 'batch-committed', migration: migration.name, batchNo: batch.batchNo, rows });
      } catch (error) {
        await target.query('ROLLBACK').catch(() => {});
        const violation = asViolation(error);
        if (!violation) {
          await failBatch(target, batch, error instanceof Error ? error.message : String(error)).catch(
            () => false,
          );
          throw error;
        }
        await pauseBatch(target, batch, violation.message);
        await setMigrationPhase(target, migration.name, 'paused', {
          pausedReason: { batch: batch.batchNo, range: batch.range, ...violation },
          runId: run.runId,
        });
        run.emit({ type: 'migration-paused', migration: migration.name, batchNo: batch.batchNo, violation });
        return { status: 'paused', violation, batchNo: batch.batchNo };
      }
    }
  } finally {
    await closeAll(connections);
  }
}

async function closeAll({ source, target }: Connections): Promise<void> {
  await Promise.all([source.end().catch(() => {}), target.end().catch(() => {})]);
}
