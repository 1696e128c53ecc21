// `ferry rollback`: deletes what ferry inserted into the target for the selected migrations and resets
// their state, children before parents, in one transaction. `--dry-run` shows what it would delete.
// Exit 0 when rolled back (or the dry run found nothing in the way), 1 on a refusal or an error.

import { groupDigits } from '../../report/plan-report.js';
import { type RolledBackMigration, rollbackProject } from '../../rollback/rollback.js';
import type { CliContext } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { readBaseLockOption } from '../plan-report-input.js';
import { projectOptions, selectionOptions } from '../project-options.js';
import { printDiagnostics } from '../report-failure.js';

export interface RollbackCommandOptions {
  readonly select?: string[];
  readonly exclude?: string[];
  readonly dryRun?: boolean;
  readonly force?: boolean;
  /** The base branch's ferry.lock, for `state:modified`. */
  readonly baseLock?: string;
}

export async function rollbackCommand(
  context: CliContext,
  options: RollbackCommandOptions = {},
): Promise<ExitCodeValue> {
  const baseLock = await readBaseLockOption(options.baseLock);
  const result = await rollbackProject({
    ...projectOptions(context),
    dryRun: options.dryRun === true,
    force: options.force === true,
    ...selectionOptions(options),
    ...(baseLock ? { baseLock } : {}),
  });
  const rowsDeleted = result.migrations.reduce((sum, m) => sum + m.rowsDeleted, 0);
  const exitCode = result.refused ? ExitCode.error : ExitCode.ok;
  if (context.json) {
    context.out(
      JSON.stringify(
        {
          ok: result.refused === undefined,
          dryRun: result.dryRun,
          migrations: result.migrations,
          rowsDeleted,
          ...(result.refused ? { diagnostics: [result.refused] } : {}),
        },
        null,
        2,
      ),
    );
    return exitCode;
  }
  if (result.migrations.length === 0 && !result.refused) {
    context.out('nothing to roll back: no selected migration has state in the target');
    return exitCode;
  }
  if (result.migrations.length > 0) printTable(context, result.migrations, result.dryRun);
  if (result.refused) {
    printDiagnostics(context, [result.refused]);
    context.out(context.style.red('dry run: the rollback would be refused; the target is unchanged'));
    return exitCode;
  }
  const count = `${result.migrations.length} migration${result.migrations.length === 1 ? '' : 's'}`;
  context.out(
    context.style.green(
      result.dryRun
        ? `✓ dry run: rolling back ${count} would delete ${groupDigits(rowsDeleted)} rows; the target is unchanged`
        : `✓ rolled back ${count}: ${groupDigits(rowsDeleted)} rows deleted; \`ferry apply\` loads them again`,
    ),
  );
  return exitCode;
}

function printTable(context: CliContext, migrations: readonly RolledBackMigration[], dryRun: boolean): void {
  const nameWidth = Math.max(...migrations.map((m) => m.migration.length), 9);
  const tableWidth = Math.max(...migrations.map((m) => (m.table ?? '-').length), 5);
  const deleted = dryRun ? 'rows to delete' : 'rows deleted';
  context.out(row(nameWidth, tableWidth, ['migration', 'table', deleted, 'batches reset']));
  for (const m of migrations) {
    const line = row(nameWidth, tableWidth, [
      m.migration,
      m.table ?? '-',
      groupDigits(m.rowsDeleted),
      groupDigits(m.batchesReset),
    ]);
    const notes = [
      ...(m.inSpecs ? [] : ['no longer in the specs']),
      // Rows changed by hand since they were loaded: worth a look, not a reason to stop.
      ...(m.rowsDeleted === m.rowsLoaded ? [] : [`its batches loaded ${groupDigits(m.rowsLoaded)}`]),
    ];
    context.out(notes.length > 0 ? `${line}  (${notes.join('; ')})` : line);
  }
}

function row(
  nameWidth: number,
  tableWidth: number,
  [name, table, rows, batches]: readonly [string, string, string, string],
): string {
  return [name.padEnd(nameWidth), table.padEnd(tableWidth), rows.padStart(14), batches.padStart(13)].join(
    '  ',
  );
}
