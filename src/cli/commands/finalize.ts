// `ferry finalize`: the hand-over once verify passes. The loaded tables are analyzed, sequences moved
// past the keys ferry wrote, the key mappings optionally written to a CSV file, and the migrations
// stamped finalized. Exit 0 when finalized, 1 when verify does not pass (nothing is changed then).

import { resolve } from 'node:path';
import { type FinalizedMigration, finalizeProject } from '../../finalize/finalize-project.js';
import { groupDigits } from '../../report/plan-report.js';
import type { CliContext } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { projectOptions, selectionOptions } from '../project-options.js';

export interface FinalizeCommandOptions {
  readonly select?: string[];
  readonly exclude?: string[];
  /** The CSV file, relative to the working directory. */
  readonly exportMappings?: string;
}

export async function finalizeCommand(
  context: CliContext,
  options: FinalizeCommandOptions,
): Promise<ExitCodeValue> {
  const result = await finalizeProject({
    ...projectOptions(context),
    ...selectionOptions(options),
    ...(options.exportMappings === undefined ? {} : { exportMappings: resolve(options.exportMappings) }),
  });
  if (context.json) {
    context.out(JSON.stringify({ ok: true, ...result }, null, 2));
    return ExitCode.ok;
  }
  const width = Math.max(...result.migrations.map((m) => m.migration.length), 9);
  const tableWidth = Math.max(...result.migrations.map((m) => m.table.length), 5);
  context.out(
    [`${'migration'.padEnd(width)}`, `${'table'.padEnd(tableWidth)}`, 'sequences'].join('  ').trimEnd(),
  );
  for (const m of result.migrations) {
    context.out([m.migration.padEnd(width), m.table.padEnd(tableWidth), sequencesText(m)].join('  '));
  }
  if (result.mappings && options.exportMappings !== undefined) {
    const generated = result.migrations.filter((m) => m.mappingRows !== undefined).length;
    context.out('');
    context.out(
      `key mappings: ${groupDigits(result.mappings.rows)} row(s) of ${generated} keys: generate migration(s) written to ${options.exportMappings}`,
    );
  }
  const count = `${result.migrations.length} migration${result.migrations.length === 1 ? '' : 's'}`;
  context.out('');
  context.out(
    context.style.green(
      `✓ finalized ${count}: verify passed, tables analyzed, sequences past the loaded values`,
    ),
  );
  return ExitCode.ok;
}

/** Each sequence ferry answers for: moved (to what next value) or ahead already. */
function sequencesText(migration: FinalizedMigration): string {
  if (migration.sequences.length === 0) return '-';
  return migration.sequences
    .map((s) =>
      s.valueSet === null
        ? `${s.sequence} ahead (next ${s.next})`
        : `${s.sequence} moved past ${s.valueSet} (next ${s.next})`,
    )
    .join('; ');
}
