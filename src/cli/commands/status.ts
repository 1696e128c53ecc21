// `ferry status`: what the target holds of each planned migration, from `_ferry`: phase, batches
// done of total, rows, and the reason of a pause. `--json` for scripts.

import { loadPlan } from '../../compiler/load-plan.js';
import { connectPostgres } from '../../db/postgres.js';
import { groupDigits } from '../../report/plan-report.js';
import { type MigrationStatus, readStatus } from '../../state/index.js';
import type { CliContext } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';

export async function statusCommand(context: CliContext): Promise<ExitCodeValue> {
  const { specs, plan } = await loadPlan(context.specsDir, { env: context.env });
  const client = await connectPostgres(specs.project.target.url, 'target');
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
  context.out(`${'migration'.padEnd(width)}  phase        batches      rows`);
  for (const row of rows) {
    const s = row.status;
    const phase = s ? s.phase : 'not applied';
    const batches = s ? `${s.batches.done}/${s.batches.total}` : '-';
    const line = `${row.migration.padEnd(width)}  ${phase.padEnd(11)}  ${batches.padStart(7)}  ${groupDigits(s?.rows ?? 0).padStart(10)}`;
    context.out(row.planned ? line : `${line}  (no longer in the specs)`);
    const reason = s?.pausedReason as { message?: string; constraint?: string } | undefined;
    if (reason?.message)
      context.out(`${' '.repeat(width + 2)}${context.style.red(`paused: ${reason.message}`)}`);
  }
  return ExitCode.ok;
}
