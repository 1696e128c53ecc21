// `ferry status`: what the target holds of each planned migration, from `_ferry`: phase, batches
// done of total, rows, rate and ETA, and the reason of a pause. `--json` for scripts.

import { join } from 'node:path';
import { loadPlan } from '../../compiler/load-plan.js';
import { knownSourceTimeZone } from '../../compiler/source-time-zone.js';
import { connectPostgres } from '../../db/postgres.js';
import { LOCK_FILE_NAME } from '../../lock/lockfile.js';
import { groupDigits } from '../../report/plan-report.js';
import { formatDuration } from '../../report/rate.js';
import type { OffendingRow } from '../../runner/violation.js';
import { type MigrationStatus, readStatus } from '../../state/index.js';
import type { CliContext } from '../context.js';
import { leftOut, offendingLines } from '../event-lines.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';

export async function statusCommand(context: CliContext): Promise<ExitCodeValue> {
  const { specs, plan } = await loadPlan(context.specsDir, { env: context.env });
  const timeZone = await knownSourceTimeZone(specs.project, join(context.projectDir, LOCK_FILE_NAME));
  const client = await connectPostgres(specs.project.target.url, 'target', { timeZone });
  let applied: MigrationStatus[];
  try {
    applied = await readStatus(client);
  } finally {
    await client.end().catch(() => {});
  }
  const byName = new Map(applied.map((s) => [s.migration, s]));
  const planned = plan.migrations.map((m) => m.name);
  const rows = [
    ...planned.map((name) => ({ migration: name, planned: true, status: byName.get(name) })),
    ...applied
      .filter((s) => !planned.includes(s.migration))
      .map((s) => ({ migration: s.migration, planned: false, status: s })),
  ];
  if (context.json) {
    context.out(JSON.stringify({ migrations: rows }, null, 2));
    return ExitCode.ok;
  }
  const width = Math.max(...rows.map((r) => r.migration.length), 9);
  context.out(columns(width, ['migration', 'phase', 'batches', 'rows', 'rows/s', 'eta']));
  for (const row of rows) {
    const s = row.status;
    const line = columns(width, [
      row.migration,
      s ? s.phase : 'not applied',
      s ? `${s.batches.done}/${s.batches.total}` : '-',
      groupDigits(s?.rows ?? 0),
      s?.rowsPerSecond == null ? '-' : groupDigits(Math.round(s.rowsPerSecond)),
      // A done migration's ETA of 0 says nothing a person needs; scripts still get it in --json.
      s?.etaSeconds == null || s.phase === 'done' ? '-' : formatDuration(s.etaSeconds),
    ]);
    context.out(row.planned ? line : `${line}  (no longer in the specs)`);
    const indent = ' '.repeat(width + 2);
    const reason = s?.pausedReason as { message?: string; offending?: OffendingRow[] } | undefined;
    if (reason?.message) {
      context.out(`${indent}${context.style.red(`paused: ${reason.message}`)}`);
      for (const line of offendingLines(reason.offending)) context.out(`${indent}${context.style.red(line)}`);
    }
    const left = s ? leftOut(s) : [];
    if (left.length > 0) context.out(`${indent}left out: ${left.join(', ')}`);
  }
  return ExitCode.ok;
}

/** Name and phase to the left, figures to the right, so digits line up under their header. */
function columns(
  width: number,
  [name, phase, batches, rows, rate, eta]: readonly [string, string, string, string, string, string],
): string {
  return [
    name.padEnd(width),
    phase.padEnd(11),
    batches.padStart(7),
    rows.padStart(10),
    rate.padStart(8),
    eta.padStart(7),
  ].join('  ');
}
