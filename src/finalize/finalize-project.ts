// `finalize` as a library function: the hand-over of a loaded target. Under the run lock it checks
// that verify passes, then ANALYZEs the loaded tables, moves sequences past the values ferry wrote,
// optionally writes the key mappings of `keys: generate` migrations to a CSV file, and stamps the
// migrations finalized in `_ferry`. It refuses, changing nothing, while verify finds a problem.

import { randomUUID } from 'node:crypto';
import type { PlanProjectOptions } from '../compiler/plan-project.js';
import { planProject } from '../compiler/plan-project.js';
import type { Selection } from '../compiler/select.js';
import { connectPostgres } from '../db/postgres.js';
import { inTransaction } from '../db/transaction.js';
import { errorDiagnostic, FerryError } from '../errors.js';
import { batchLayout } from '../runner/batch-layout.js';
import { advanceSequences, type SequenceAdvance } from '../runner/sequences.js';
import { sessionTimeZone } from '../runner/session.js';
import { formatQualifiedName } from '../spec/qualified-name.js';
import type { KeyStrategy } from '../spec/types.js';
import { markFinalized } from '../state/finalized.js';
import { logEvent, upgradeState, withRunLock } from '../state/index.js';
import { quoteQualifiedName } from '../util/sql.js';
import type { MigrationVerdict, VerifyResult } from '../verify/types.js';
import { verifyPlanned } from '../verify/verify-project.js';
import { exportMappings } from './export-mappings.js';

export interface FinalizeOptions extends Omit<PlanProjectOptions, 'frozenLock' | 'updateLock'>, Selection {
  /** Write the key mappings of the selected `keys: generate` migrations to this CSV file. */
  readonly exportMappings?: string;
}

export interface FinalizedMigration {
  readonly migration: string;
  /** The target table as `schema.table`. */
  readonly table: string;
  readonly keys: KeyStrategy;
  /** The sequences behind the columns it wrote, each moved past them or found ahead already. */
  readonly sequences: readonly SequenceAdvance[];
  /** Lines of the mappings CSV (keys: generate, with exportMappings). */
  readonly mappingRows?: number;
}

export interface FinalizeResult {
  /** The server's time of the stamp in `_ferry.migration_control.finalized_at`. */
  readonly finalizedAt: Date;
  /** In plan order. */
  readonly migrations: readonly FinalizedMigration[];
  /** The CSV written for exportMappings, and its lines without the header. */
  readonly mappings?: { readonly file: string; readonly rows: number };
}

/**
 * Finalizes the selected migrations (all of the plan when nothing is selected). Throws
 * `finalize.verify-failed` when verify finds any of them not done or not matching its source,
 * `finalize.export-failed` when the CSV cannot be written, and `state.locked` while an apply runs.
 *
 * @example
 * const result = await finalizeProject({ projectDir: '.', agents: (p) => buildAgents(p, { cwd: '.' }), exportMappings: 'mappings.csv' });
 * for (const m of result.migrations) console.log(m.migration, m.sequences.length);
 */
export async function finalizeProject(options: FinalizeOptions): Promise<FinalizeResult> {
  const planned = await planProject({ ...options, frozenLock: true });
  const { plan, specs, catalogs } = planned;
  // In the run's time zone, as apply's sessions: key values print in the CSV as they were read.
  const target = await connectPostgres(specs.project.target.url, 'target', {
    timeZone: sessionTimeZone(plan),
  });
  try {
    // Held from before verify to the stamp: no apply can change the rows verify passed in between.
    return await withRunLock(target, 'apply', async () => {
      const verified = await verifyPlanned(planned, options, { runLockHeld: true });
      refuseUnverified(verified);
      await upgradeState(target);
      const names = new Set(verified.migrations.map((v) => v.migration));
      const layouts = plan.migrations
        .filter((m) => names.has(m.name))
        .map((m) => batchLayout(m, { plan, source: catalogs.source, target: catalogs.target }));
      const runId = randomUUID();
      const sequences = new Map<string, SequenceAdvance[]>();
      for (const layout of layouts) {
        // Fresh statistics: the planner's picture of a freshly loaded table is of an empty one.
        await target.query(`ANALYZE ${quoteQualifiedName(layout.migration.to)}`);
        sequences.set(layout.migration.name, await advanceSequences(target, layout, runId));
      }
      const exported =
        options.exportMappings === undefined
          ? undefined
          : await exportMappings(target, layouts, options.exportMappings);
      const finalizedAt = await inTransaction(target, async () => {
        const at = await markFinalized(target, [...names]);
        await logEvent(target, {
          event: 'migrations-finalized',
          runId,
          data: { migrations: [...names], ...(exported ? { mappings: exported } : {}) },
        });
        return at ?? new Date();
      });
      return {
        finalizedAt,
        migrations: layouts.map((layout) => {
          const rows = exported?.find((e) => e.migration === layout.migration.name)?.rows;
          return {
            migration: layout.migration.name,
            table: formatQualifiedName(layout.migration.to),
            keys: layout.migration.keys,
            sequences: sequences.get(layout.migration.name) ?? [],
            ...(rows === undefined ? {} : { mappingRows: rows }),
          };
        }),
        ...(exported && options.exportMappings !== undefined
          ? {
              mappings: {
                file: options.exportMappings,
                rows: exported.reduce((sum, e) => sum + e.rows, 0),
              },
            }
          : {}),
      };
    });
  } finally {
    await target.end().catch(() => {});
  }
}

/**
 * A sequence behind is not a reason to refuse: finalize moves it. Anything else verify finds is:
 * a migration not done, rows that differ, orphans, a comparison that failed.
 */
function blocks(verdict: MigrationVerdict): boolean {
  if (verdict.status === 'ok') return false;
  const onlySequences =
    verdict.status === 'mismatch' &&
    verdict.rows.length === 0 &&
    verdict.orphans.length === 0 &&
    verdict.problems.length === 0;
  return !onlySequences;
}

function refuseUnverified(verified: VerifyResult): void {
  const failing = verified.migrations.filter(blocks);
  if (failing.length === 0) return;
  const total = verified.migrations.length;
  throw new FerryError(
    errorDiagnostic(
      'finalize.verify-failed',
      `verify does not pass for ${failing.length} of ${total} migration${total === 1 ? '' : 's'}: ` +
        failing.map((v) => `${v.migration} (${v.status})`).join(', '),
      {
        hint: '`ferry verify` shows what differs; finish or fix those migrations (`ferry apply`, or `ferry rollback` and apply again) and run finalize again. Nothing was finalized',
      },
    ),
  );
}
