// The built-in planning agent: rows per batch and batches in parallel for each migration, from the
// source's row estimate and average row width and the table's class, with the arithmetic as reason.

import { formatQualifiedName } from '../../spec/qualified-name.js';
import type { Agent, AgentMigration, AgentRequest, BatchProposal, WarningProposal } from '../protocol.js';
import { type ClassVerdict, classifyMigration } from './classify.js';
import { countOf, formatBytes, formatCount } from './format.js';
import { roundDownReadable, roundUpReadable } from './readable.js';
import { findTable } from './references.js';

/** Row data per batch: small enough to commit in well under a few seconds, so a retry is cheap. */
export const TARGET_BATCH_BYTES = 12 * 1024 * 1024;
export const MIN_BATCH_ROWS = 1_000;
export const MAX_BATCH_ROWS = 200_000;
/** Tables up to this many rows load one batch at a time: parallel batches would not pay off. */
export const PARALLEL_MIN_ROWS = 200_000;
/** Without statistics: a size that is safe for rows up to about a kilobyte wide. */
export const UNKNOWN_SIZE_BATCH_ROWS = 10_000;
/** The protocol's bound on parallelism. */
const MAX_PARALLELISM = 64;

/**
 * The machine class plans are sized for unless told otherwise. Fixed rather than read from the
 * machine running `plan`, so that the same specs give the same ferry.lock on a laptop and in CI;
 * apply never runs more batches at once than its own workers allow.
 */
export const DEFAULT_PLAN_CORES = 2;

export interface PlanningOptions {
  /** Cores of the machine class the target runs on. Default: DEFAULT_PLAN_CORES. */
  readonly cores?: number;
}

/** A migration's batch proposal and the warnings that go with it. */
export type BatchPlan = { readonly proposal: BatchProposal; readonly warnings: readonly WarningProposal[] };

interface TableFacts {
  readonly sourceName: string;
  readonly rows?: number;
  readonly width?: number;
  readonly cores: number;
}

/**
 * A planning agent for a machine class with `cores` cores; deterministic for a given core count.
 *
 * @example
 * const agent = createPlanningAgent({ cores: 2 });
 * const { proposals } = await agent.run(request);
 * // { kind: 'batch', migration: 'orders', size: 200000, parallelism: 2, confidence: 0.9,
 * //   reason: '2,000,000 rows × 32 bytes ≈ 61 MB → 10 batches of 200,000 rows (…); 2 at a time (…)' }
 */
export function createPlanningAgent(options: PlanningOptions = {}): Agent {
  const cores = options.cores ?? DEFAULT_PLAN_CORES;
  if (!Number.isInteger(cores) || cores < 1)
    throw new RangeError(`cores must be a positive integer, not ${cores}`);
  return {
    name: 'planning',
    role: 'planning',
    run: async (request) => ({
      proposals: request.migrations.flatMap((migration) => {
        const { proposal, warnings } = planBatches(request, migration, cores);
        return [proposal, ...warnings];
      }),
    }),
  };
}

/** The built-in `planning` agent, sized for DEFAULT_PLAN_CORES. */
export const planningAgent: Agent = createPlanningAgent();

/** The batch plan of one migration, and warnings where the plan is likely to hurt. */
export function planBatches(request: AgentRequest, migration: AgentMigration, cores: number): BatchPlan {
  const verdict = classifyMigration(request, migration);
  const source = findTable(request, 'source', migration.from);
  const facts: TableFacts = {
    sourceName: formatQualifiedName(migration.from),
    ...(source?.rowEstimate === undefined ? {} : { rows: source.rowEstimate }),
    ...(source?.averageRowWidth === undefined ? {} : { width: source.averageRowWidth }),
    cores,
  };
  return verdict.class === 'catalog'
    ? planCatalog(migration, verdict, facts)
    : planTransactional(migration, facts);
}

function batch(
  migration: AgentMigration,
  size: number,
  parallelism: number,
  confidence: number,
  reason: string,
) {
  return { kind: 'batch' as const, migration: migration.name, size, parallelism, confidence, reason };
}

function neverAnalyzed(facts: TableFacts): string {
  return `${facts.sourceName} was never analyzed, so its row count is unknown (run ANALYZE ${facts.sourceName} and plan again)`;
}

/** Catalog tables go in one batch: size at least the row count, one at a time. */
function planCatalog(migration: AgentMigration, verdict: ClassVerdict, facts: TableFacts): BatchPlan {
  const why = migration.class === undefined ? 'catalog table' : 'catalog table (set in the spec)';
  if (facts.rows === undefined) {
    const reason = `${why}, but ${neverAnalyzed(facts)}: one batch of ${formatCount(UNKNOWN_SIZE_BATCH_ROWS)} rows if it holds no more`;
    return { proposal: batch(migration, UNKNOWN_SIZE_BATCH_ROWS, 1, 0.5, reason), warnings: [] };
  }
  const size = roundUpReadable(Math.max(facts.rows, MIN_BATCH_ROWS));
  const volume =
    facts.width === undefined
      ? ''
      : ` × ${countOf(facts.width, 'byte')} ≈ ${formatBytes(facts.rows * facts.width)}`;
  const reason = `${why}: ${countOf(facts.rows, 'row')}${volume} → one batch of ${formatCount(size)} rows`;
  const proposal = batch(migration, size, 1, Math.min(verdict.confidence, 0.9), reason);
  return {
    proposal,
    warnings: facts.rows > MAX_BATCH_ROWS ? [largeCatalogWarning(migration, facts.rows)] : [],
  };
}

function largeCatalogWarning(migration: AgentMigration, rows: number): WarningProposal {
  return {
    kind: 'warning',
    migration: migration.name,
    message: `${migration.name} is a catalog table, so its ${countOf(rows, 'row')} load in one batch: a failure retries all of them; classed transactional it would load in sized batches`,
    yaml: 'class: transactional\n',
  };
}

/** Transactional tables: about TARGET_BATCH_BYTES of row data per batch, within the row bounds. */
function planTransactional(migration: AgentMigration, facts: TableFacts): BatchPlan {
  const { rows, width } = facts;
  if (rows === undefined) {
    const size =
      width === undefined ? UNKNOWN_SIZE_BATCH_ROWS : Math.min(UNKNOWN_SIZE_BATCH_ROWS, sizeForWidth(width));
    const reason = `${neverAnalyzed(facts)}: a conservative ${formatCount(size)} rows per batch, one at a time`;
    return { proposal: batch(migration, size, 1, 0.5, reason), warnings: [] };
  }
  if (width === undefined) {
    const reason = `${countOf(rows, 'row')} of unknown width (${facts.sourceName} has no statistics: run ANALYZE ${facts.sourceName}): a conservative ${formatCount(UNKNOWN_SIZE_BATCH_ROWS)} rows per batch`;
    const parallelism = parallelismFor(rows, Math.ceil(rows / UNKNOWN_SIZE_BATCH_ROWS), facts.cores);
    return {
      proposal: batch(
        migration,
        UNKNOWN_SIZE_BATCH_ROWS,
        parallelism.value,
        0.6,
        `${reason}; ${parallelism.reason}`,
      ),
      warnings: [],
    };
  }
  const size = sizeForWidth(width);
  const batches = Math.max(1, Math.ceil(rows / size));
  const parallelism = parallelismFor(rows, batches, facts.cores);
  const volume = `${countOf(rows, 'row')} × ${countOf(width, 'byte')} ≈ ${formatBytes(rows * width)}`;
  const split = `${countOf(batches, 'batch', 'batches')} of ${formatCount(size)} rows (${sizeNote(size, width)})`;
  const reason = `${volume} → ${split}; ${parallelism.reason}`;
  const tooWide = size * width > 2 * TARGET_BATCH_BYTES;
  const proposal = batch(migration, size, parallelism.value, tooWide ? 0.7 : 0.9, reason);
  return { proposal, warnings: tooWide ? [wideRowsWarning(migration, width)] : [] };
}

/** Rows that make about TARGET_BATCH_BYTES, rounded down to a readable number, within the bounds. */
function sizeForWidth(width: number): number {
  const rows = roundDownReadable(TARGET_BATCH_BYTES / Math.max(width, 1));
  return Math.min(MAX_BATCH_ROWS, Math.max(MIN_BATCH_ROWS, rows));
}

function sizeNote(size: number, width: number): string {
  const each = `≈ ${formatBytes(size * width)} each`;
  if (size === MAX_BATCH_ROWS) return `${each}, at the ${formatCount(MAX_BATCH_ROWS)}-row cap`;
  if (size === MIN_BATCH_ROWS) return `${each}, at the ${formatCount(MIN_BATCH_ROWS)}-row floor`;
  return `${each}, aiming at ${formatBytes(TARGET_BATCH_BYTES)}`;
}

function parallelismFor(rows: number, batches: number, cores: number): { value: number; reason: string } {
  if (rows <= PARALLEL_MIN_ROWS)
    return { value: 1, reason: `one at a time (not over ${formatCount(PARALLEL_MIN_ROWS)} rows)` };
  const value = Math.min(cores, batches, MAX_PARALLELISM);
  return {
    value,
    reason: `${formatCount(value)} at a time (over ${formatCount(PARALLEL_MIN_ROWS)} rows; ${countOf(cores, 'core')})`,
  };
}

function wideRowsWarning(migration: AgentMigration, width: number): WarningProposal {
  const fitting = roundDownReadable(TARGET_BATCH_BYTES / width);
  return {
    kind: 'warning',
    migration: migration.name,
    message: `rows of ${migration.name} average ${formatBytes(width)}, so even a batch of ${formatCount(MIN_BATCH_ROWS)} rows carries ≈ ${formatBytes(MIN_BATCH_ROWS * width)}; if batches time out, ${formatCount(fitting)} rows make about ${formatBytes(TARGET_BATCH_BYTES)}`,
    yaml: `batch:\n  size: ${fitting}\n`,
  };
}
