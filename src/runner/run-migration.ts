// One migration's batches, exactly once: each batch is claimed from _ferry, its rows written and its
// completion recorded in ONE target transaction, so a crash anywhere leaves all of a batch or none.
// A violation rolls the batch back; the rows at fault are named by bisecting it, and then either the
// migration pauses (the next apply resumes there) or, with onError: reject, exactly those rows are
// set aside and the rest of the batch commits.

import pg from 'pg';
import { mappingHash } from '../compiler/mapping-hash.js';
import { errorDiagnostic, FerryError } from '../errors.js';
import { type SourceReader, stagedSourceOf } from '../source/reader.js';
import {
  appendBatches,
  batchProgress,
  claimBatch,
  closeBatchRange,
  completeBatch,
  cursorMark,
  failBatch,
  lastBatch,
  loadBatchesDone,
  pauseBatch,
  readMigrationControl,
  recordBatches,
  recordRefresh,
  releaseLeases,
  reopenEmptyBatch,
  requeueBatches,
  setCursorMark,
  setMigrationPhase,
  splitBatch,
} from '../state/index.js';
import type { ClaimedBatch, KeyValue } from '../state/types.js';
import { collectPromotedGarbage } from '../util/old-space.js';
import type { Slots } from '../util/slots.js';
import { quoteLiteral, quoteQualifiedName } from '../util/sql.js';
import type { BatchLayout } from './batch-layout.js';
import { STAGED_RANGE } from './batch-sql.js';
import { bisectBatch } from './bisect.js';
import { currentCursor, cursorCondition, cursorMoved } from './cursor.js';
import type { RunnerEvent } from './events.js';
import { failpoint } from './failpoints.js';
import { isBatchTooBig, middleKey } from './halve.js';
import { type KeyRange, type KeyRangeOptions, keyComparison } from './key-ranges.js';
import { ensureLayoutTables } from './layout-tables.js';
import { loadRange } from './load-range.js';
import { OFFENDING_ROWS_SHOWN } from './orphans.js';
import { recordRejects } from './rejects.js';
import { isConnectionLoss, retryingConnectionLoss } from './retry.js';
import { advanceSequences } from './sequences.js';
import type { LoadResult } from './staged-load.js';
import { asViolation, BatchViolation, type OffendingRow, type Violation } from './violation.js';

/** A batch that has not committed within this long may be claimed again by another worker. */
const LEASE_SECONDS = 600;

/** The batch size when neither the spec nor the planning agent gave a number. */
const DEFAULT_BATCH_SIZE = 10_000;

export interface Connections {
  /** Where source-side SQL runs (see source/reader.ts): the source, or the session staging its rows. */
  readonly source: pg.Client;
  /** Batch boundaries on the source engine, and the staging of a range's rows into `source`. */
  readonly reader: SourceReader;
  readonly target: pg.Client;
}

export interface MigrationRun {
  readonly layout: BatchLayout;
  readonly runId: string;
  readonly worker: string;
  /** Opens a source and a target connection whose sessions are aligned (see session.ts). */
  readonly connect: () => Promise<Connections>;
  readonly emit: (event: RunnerEvent) => void;
  /** Batches loaded at once. */
  readonly workers: number;
  /** A dry run's --limit: only the first rows of the source, in key order. */
  readonly limitRows?: number;
  /** Set by the run when claim loops should stop taking batches (--fail-fast). */
  readonly stopped: () => boolean;
  /** Batch loads at once across the whole run, where migrations run beside one another. */
  readonly batchSlots?: Slots;
  /**
   * The key ranges, planned ahead while earlier layers load (see prefetchKeyRanges); used only if
   * the migration has no batches recorded yet. A prefetch that failed is planned again in place.
   */
  readonly prefetchedRanges?: Promise<KeyRange[] | undefined>;
}

export interface PausedOutcome {
  readonly status: 'paused';
  readonly violation: Violation;
  readonly offending: readonly OffendingRow[];
  /** The paused batch; absent when the fix-up step paused. */
  readonly batchNo?: number;
}

export type MigrationOutcome =
  | { readonly status: 'done'; readonly rows: number }
  /** Every batch is loaded; the fix-up step is still to run. */
  | { readonly status: 'loaded'; readonly rows: number }
  | PausedOutcome
  /** --fail-fast stopped it before its batches were all loaded. */
  | { readonly status: 'stopped' };

export async function runMigration(run: MigrationRun): Promise<MigrationOutcome> {
  const { migration } = run.layout;
  const setup = await run.connect();
  try {
    await prepareBatches(run, setup);
  } finally {
    await closeAll(setup);
  }
  const outcomes = await Promise.all(
    Array.from({ length: Math.max(1, run.workers) }, (_, i) =>
      claimLoop(run, run.workers > 1 ? `${run.worker}/${i + 1}` : run.worker),
    ),
  );
  const paused = outcomes.find((o): o is PausedOutcome => o?.status === 'paused');
  if (paused) return paused;
  const state = await run.connect();
  try {
    const progress = await batchProgress(state.target, migration.name);
    const unfinished = progress.reduce((sum, p) => sum + p.pending + p.running + p.paused + p.failed, 0);
    if (unfinished > 0 && run.stopped()) return { status: 'stopped' };
    if (unfinished > 0)
      throw new Error(`${migration.name}: ${unfinished} batches are not done after every worker finished`);
    const rows = progress.reduce((sum, p) => sum + p.rows, 0);
    if (run.layout.fixupTable) {
      await setMigrationPhase(state.target, migration.name, 'fixup', { rowsLoaded: rows, runId: run.runId });
      return { status: 'loaded', rows };
    }
    // Every apply that reaches done (incremental ones too) may have written keys beyond the sequence.
    await advanceSequences(state.target, run.layout, run.runId);
    await setMigrationPhase(state.target, migration.name, 'done', { rowsLoaded: rows, runId: run.runId });
    run.emit({ type: 'migration-done', migration: migration.name, rows });
    return { status: 'done', rows };
  } finally {
    await closeAll(state);
  }
}

/** Records the key ranges the first time; on a later run resumes what a pause or a crash left. */
async function prepareBatches(run: MigrationRun, { source, target, reader }: Connections): Promise<void> {
  const { migration, sourceKey } = run.layout;
  await ensureLayoutTables(target, run.layout);
  const [control] = await readMigrationControl(target, migration.name);
  const recorded = (await batchProgress(target, migration.name)).reduce((sum, p) => sum + p.batches, 0);
  if (recorded === 0) {
    // Changes from here on are the next apply's: the batches below read every row as it is then.
    if (run.layout.cursor)
      await setCursorMark(target, migration.name, await currentCursor(source, run.layout));
    const prefetched = await run.prefetchedRanges?.catch(() => undefined);
    const ranges = prefetched ?? (await planKeyRanges(run, { source, reader }));
    await recordBatches(target, migration.name, ranges, { prefix: run.limitRows !== undefined });
  } else if (run.limitRows === undefined) {
    await extendBatches(run, { source, target, reader });
  }
  // Batches a pause or a refusal of the server stopped are loaded again by every new run; a failed
  // batch under a migration still loading (its run stopped at the failure) included.
  await requeueBatches(target, migration.name);
  await releaseLeases(target, migration.name);
  const mapping = mappingHash(migration);
  await setMigrationPhase(target, migration.name, 'loading', {
    // What the rows were written with: a later run under an edited mapping only adds rows to those,
    // so diff must go on seeing the old mapping until the migration is rolled back and loaded again.
    ...(recorded === 0 || control?.mappingHash == null || control.mappingHash === mapping
      ? { specHash: migration.specHash, mappingHash: mapping }
      : {}),
    sourceTable: quoteQualifiedName(migration.from),
    targetTable: quoteQualifiedName(migration.to),
    keyColumns: sourceKey.map((c) => c.name),
    runId: run.runId,
    pausedReason: null,
  });
  failpoint('migration-prepared', migration.name);
  const progress = await batchProgress(target, migration.name);
  run.emit({
    type: 'migration-started',
    migration: migration.name,
    batches: progress.reduce((sum, p) => sum + p.batches, 0),
    doneBatches: progress.reduce((sum, p) => sum + p.done, 0),
    doneRows: progress.reduce((sum, p) => sum + p.rows, 0),
    ...(run.layout.sourceTable.rowEstimate === undefined
      ? {}
      : { rowEstimate: run.layout.sourceTable.rowEstimate }),
  });
}

/** The key ranges a first run of the migration records as its batches. */
function planKeyRanges(
  run: Pick<MigrationRun, 'layout' | 'limitRows'>,
  { source, reader }: Pick<Connections, 'source' | 'reader'>,
): Promise<KeyRange[]> {
  return reader.planKeyRanges(source, {
    ...rangeOptions(run),
    batchSize: run.limitRows === undefined ? batchSize(run) : Math.min(batchSize(run), run.limitRows),
    ...(run.limitRows === undefined ? {} : { limitRows: run.limitRows }),
  });
}

/**
 * Plans a migration's key ranges on connections of its own, so that a later layer's walk over its
 * source key (a second or so for a few million rows) runs while the earlier layers load instead of
 * between them. Planning only reads the source: the ranges are recorded when the migration starts,
 * and rows the source gains meanwhile fall in the open last range, as they would have anyway.
 * Undefined for a migration that has batches recorded already (a resumed run plans nothing).
 */
export function prefetchKeyRanges(
  run: Pick<MigrationRun, 'layout' | 'connect'>,
): Promise<KeyRange[] | undefined> {
  const ranges = (async () => {
    const connections = await run.connect();
    try {
      const recorded = await batchProgress(connections.target, run.layout.migration.name);
      if (recorded.some((p) => p.batches > 0)) return undefined;
      return await planKeyRanges(run, connections);
    } finally {
      await closeAll(connections);
    }
  })();
  // Awaited only by a migration that starts with no batches recorded; a failure is planned again then.
  ranges.catch(() => {});
  return ranges;
}

function batchSize(run: Pick<MigrationRun, 'layout'>): number {
  const { size } = run.layout.migration.batch;
  return typeof size === 'number' ? size : DEFAULT_BATCH_SIZE;
}

/** The source table, batch key and row filter that batch boundaries are found in. */
function rangeOptions(run: Pick<MigrationRun, 'layout'>): Omit<KeyRangeOptions, 'batchSize'> {
  const { migration, sourceKey } = run.layout;
  return {
    table: migration.from,
    key: sourceKey,
    ...(migration.where === undefined ? {} : { where: migration.where }),
  };
}

/**
 * Incremental apply: the rows the source gained beyond the recorded batches become new batches. An
 * open last batch is still to be loaded (or loaded nothing, and is loaded again): it takes them.
 */
async function extendBatches(run: MigrationRun, { source, target, reader }: Connections): Promise<void> {
  const { migration } = run.layout;
  const last = await lastBatch(target, migration.name);
  if (!last) return;
  if (last.range.high === null) {
    if (last.status !== 'done' || last.rowsSeen > 0) return;
    if (run.layout.cursor)
      await setCursorMark(target, migration.name, await currentCursor(source, run.layout));
    await reopenEmptyBatch(target, migration.name, last.batchNo);
    return;
  }
  if (run.layout.cursor && (await loadBatchesDone(target, migration.name)))
    await planRefresh(run, { source, target, reader }, last.range.high);
  if ((await reader.lastKeyAfter(source, rangeOptions(run), last.range.high)) === undefined) return;
  const ranges = await reader.planKeyRanges(source, {
    ...rangeOptions(run),
    batchSize: batchSize(run),
    after: last.range.high,
  });
  await appendBatches(target, migration.name, ranges);
}

/**
 * Records refresh batches for the loaded rows (keys through `through`) whose cursor grew since the
 * previous apply, and moves the cursor mark. Without a mark (the spec gained `incremental` after its
 * rows were loaded) every loaded row is written again once.
 */
async function planRefresh(
  run: MigrationRun,
  { source, target, reader }: Connections,
  through: KeyValue,
): Promise<void> {
  const { migration, cursor, sourceKey } = run.layout;
  if (!cursor) return;
  const mark = await cursorMark(target, migration.name);
  const now = await currentCursor(source, run.layout);
  if (now === null || !(await cursorMoved(source, cursor, mark, now))) return;
  const window = { low: mark, high: now };
  const changed = {
    ...rangeOptions(run),
    where: [
      ...(migration.where === undefined ? [] : [migration.where]),
      cursorCondition(cursor, window),
      keyComparison(sourceKey, '<=', through.map(quoteLiteral)),
    ].join(' AND '),
  };
  if ((await reader.lastKeyAfter(source, changed, null)) === undefined) {
    await recordRefresh(target, migration.name, [], window);
    return;
  }
  const ranges = await reader.planKeyRanges(source, { ...changed, batchSize: batchSize(run) });
  // The open end of the last range stops at the loaded keys: rows beyond them are loaded, not refreshed.
  const closed = ranges.map((range, i) => (i === ranges.length - 1 ? { ...range, high: through } : range));
  await recordRefresh(target, migration.name, closed, window);
}

/**
 * An open last batch is closed at the largest key it is about to read, so the rows the source gains
 * from now on are left to the batches a later apply appends. A dry run's sample is closed already.
 */
async function closeOpenRange(
  run: MigrationRun,
  { source, target, reader }: Connections,
  batch: ClaimedBatch,
): Promise<ClaimedBatch> {
  if (batch.range.high !== null) return batch;
  const high = await reader.lastKeyAfter(source, rangeOptions(run), batch.range.low);
  if (high === undefined || !(await closeBatchRange(target, batch, high))) return batch;
  return { ...batch, range: { low: batch.range.low, high } };
}

/** Claims and loads batches until none is left; reconnects and goes on when a connection is lost. */
function claimLoop(run: MigrationRun, worker: string): Promise<PausedOutcome | undefined> {
  return retryingConnectionLoss(
    async () => {
      const connections = await run.connect();
      try {
        // A batch this worker held when its connection broke is given back first; if its COMMIT
        // went through, the batch is done and stays so.
        await releaseLeases(connections.target, run.layout.migration.name, worker);
        const claimAndLoad = async (): Promise<PausedOutcome | 'none-left' | undefined> => {
          const batch = await claimBatch(connections.target, {
            migration: run.layout.migration.name,
            worker,
            leaseSeconds: LEASE_SECONDS,
          });
          if (!batch) return 'none-left';
          return loadBatch(run, connections, await closeOpenRange(run, connections, batch));
        };
        for (;;) {
          if (run.stopped()) return undefined;
          const outcome = await (run.batchSlots ? run.batchSlots.use(claimAndLoad) : claimAndLoad());
          collectPromotedGarbage();
          if (outcome === 'none-left') return undefined;
          if (outcome) return outcome;
        }
      } finally {
        await closeAll(connections);
      }
    },
    (attempt, delayMs, error) =>
      run.emit({
        type: 'connection-retry',
        migration: run.layout.migration.name,
        attempt,
        delayMs,
        message: error instanceof Error ? error.message : String(error),
      }),
  );
}

/**
 * The batch's rows COPYed from the reader straight into the target table, where the layout passes
 * source columns through unchanged and the reader can (see pass-through.ts); undefined otherwise.
 */
function straightCopy(run: MigrationRun, reader: SourceReader, batch: ClaimedBatch) {
  const { layout } = run;
  const copyRange = reader.copyRange;
  if (!copyRange || !layout.passThrough || batch.cursor || layout.mode !== 'direct') return undefined;
  const into = { table: layout.migration.to, columns: layout.passThrough };
  return (target: pg.ClientBase) => copyRange.call(reader, target, stagedSourceOf(layout), batch.range, into);
}

async function loadBatch(
  run: MigrationRun,
  connections: Connections,
  batch: ClaimedBatch,
): Promise<PausedOutcome | undefined> {
  const { source, target, reader } = connections;
  const { migration } = run.layout;
  const load = (range: ClaimedBatch['range']) =>
    loadRange({
      layout: run.layout,
      source,
      target,
      // What was staged for the batch is read whole; bisection's parts of it by their keys.
      range: reader.stagesRange && range === batch.range ? STAGED_RANGE : range,
      batchNo: batch.batchNo,
      onError: migration.onError,
      ...(batch.cursor ? { cursor: batch.cursor } : {}),
    });
  const reportZeroDates = (zeroDates: ReadonlyMap<string, number>) => {
    for (const [column, count] of zeroDates)
      run.emit({ type: 'zero-dates', migration: migration.name, batchNo: batch.batchNo, column, count });
  };
  // The range's rows are readable by source-side SQL once staged: bisection and rejects read them.
  let staged = false;
  const stage = async () => {
    reportZeroDates(await reader.stage(source, stagedSourceOf(run.layout), batch.range));
    staged = true;
  };
  const straight = straightCopy(run, reader, batch);
  try {
    if (!straight) await stage();
    await target.query('BEGIN');
    let loaded: LoadResult;
    if (straight) {
      const copied = await straight(target);
      reportZeroDates(copied.zeroDates);
      loaded = { rows: copied.rows, skipped: 0, rejected: 0 };
    } else loaded = await load(batch.range);
    failpoint('batch-loaded', migration.name);
    await completeBatch(target, { ...batch, ...loaded });
    failpoint('batch-completed', migration.name);
    await target.query('COMMIT');
    failpoint('batch-committed', migration.name);
    run.emit({ type: 'batch-committed', migration: migration.name, batchNo: batch.batchNo, ...loaded });
    return undefined;
  } catch (error) {
    await target.query('ROLLBACK').catch(() => {});
    // A batch copied straight into the target is staged only now that its rows must be looked at.
    if (!staged && !isConnectionLoss(error)) await stage();
    if (isBatchTooBig(error)) {
      const middle = await middleKey(source, run.layout, batch.range);
      if (middle !== undefined) {
        const reason = error instanceof Error ? error.message : String(error);
        const second = await splitBatch(target, batch, batch.range.high, middle, reason);
        run.emit({
          type: 'batch-split',
          migration: migration.name,
          batchNo: batch.batchNo,
          newBatchNo: second ?? 0,
          reason,
        });
        return undefined;
      }
    }
    const violation = error instanceof BatchViolation ? error.violation : asViolation(error);
    if (!violation) {
      // A lost connection (either one) is retried by the claim loop, which gives back this worker's
      // running batch; marked failed, the batch would never be claimed again by this run.
      if (isConnectionLoss(error)) throw error;
      await failBatch(target, batch, error instanceof Error ? error.message : String(error)).catch(
        () => false,
      );
      throw serverRefusal(migration.name, batch.batchNo, error) ?? error;
    }
    // In a dry run's sample, a foreign key may point at a row beyond the limit: not the data's fault.
    const sampledReference = run.limitRows !== undefined && violation.sqlstate === '23503';
    if (migration.onError === 'reject' || sampledReference) {
      const setAside = await setBadRowsAside(run, connections, batch, load);
      if (setAside) return undefined;
    }
    const offending =
      error instanceof BatchViolation ? error.offending : await findOffenders(run, connections, batch, load);
    const reason = { batch: batch.batchNo, range: batch.range, ...violation, offending };
    await pauseBatch(target, batch, violation.message);
    await setMigrationPhase(target, migration.name, 'paused', { pausedReason: reason, runId: run.runId });
    run.emit({
      type: 'migration-paused',
      migration: migration.name,
      batchNo: batch.batchNo,
      violation,
      offending,
    });
    return { status: 'paused', violation, offending, batchNo: batch.batchNo };
  }
}

type Load = (range: ClaimedBatch['range']) => ReturnType<typeof loadRange>;

/** The first rows at fault, for the pause to name; nothing of the batch is kept. */
async function findOffenders(
  run: MigrationRun,
  { source, target }: Connections,
  batch: ClaimedBatch,
  load: Load,
): Promise<readonly OffendingRow[]> {
  await target.query('BEGIN');
  try {
    const { offending } = await bisectBatch({
      layout: run.layout,
      source,
      target,
      range: batch.range,
      load,
      limit: OFFENDING_ROWS_SHOWN,
    });
    return offending;
  } finally {
    await target.query('ROLLBACK').catch(() => {});
  }
}

/**
 * Loads what loads, sets exactly the offending rows aside and completes the batch, all in one
 * transaction: onError reject records them in the rejects; in a dry run's sample, references to rows
 * beyond the limit are only counted as skipped. False when some row cannot be set aside (or none
 * could be named): then the batch pauses.
 */
async function setBadRowsAside(
  run: MigrationRun,
  { source, target }: Connections,
  batch: ClaimedBatch,
  load: Load,
): Promise<boolean> {
  const { migration } = run.layout;
  await target.query('BEGIN');
  try {
    const { loaded, offending } = await bisectBatch({
      layout: run.layout,
      source,
      target,
      range: batch.range,
      load,
      limit: Number.POSITIVE_INFINITY,
    });
    const beyondSample =
      run.limitRows === undefined ? [] : offending.filter((row) => row.sqlstate === '23503');
    const rejects = offending.filter((row) => !beyondSample.includes(row));
    if (offending.length === 0 || (rejects.length > 0 && migration.onError !== 'reject')) {
      await target.query('ROLLBACK');
      return false;
    }
    await recordRejects({ source, target, layout: run.layout, batchNo: batch.batchNo, offending: rejects });
    const outcome = {
      rows: loaded.rows,
      skipped: loaded.skipped + beyondSample.length,
      rejected: loaded.rejected + rejects.length,
    };
    await completeBatch(target, { ...batch, ...outcome });
    await target.query('COMMIT');
    run.emit({ type: 'batch-committed', migration: migration.name, batchNo: batch.batchNo, ...outcome });
    return true;
  } catch (error) {
    await target.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/**
 * A batch the server refused for a reason that is not its rows' (a lock or statement it waited too
 * long for, a full disk, too little memory after halving): a FerryError saying so, or undefined for
 * an error that is not the server's.
 */
function serverRefusal(migration: string, batchNo: number, error: unknown): FerryError | undefined {
  if (!(error instanceof pg.DatabaseError) || error.code === undefined) return undefined;
  const sqlstate = error.code;
  return new FerryError(
    errorDiagnostic(
      'apply.batch-refused',
      `${migration}: batch ${batchNo} was refused by the target server: ${error.message} [SQLSTATE ${sqlstate}]`,
      {
        hint: 'nothing of the batch was kept; fix what the server says (a lock held elsewhere, lock_timeout, disk space) and run `ferry apply` again: it loads the batch again',
      },
    ),
  );
}

/** Closes a pair of connections and its reader; a source staged on the target is the target's client. */
export async function closeAll({ source, target, reader }: Connections): Promise<void> {
  const clients = source === target ? [target] : [source, target];
  await Promise.all([...clients.map((client) => client.end().catch(() => {})), reader.end().catch(() => {})]);
}
