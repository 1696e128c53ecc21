// What an apply (or a dry run) came to, per migration, folded from the runner's event stream: the view
// behind the job summary of `ferry apply` and the dry-run part of the pull-request report.

import type { Diagnostic } from '../errors.js';
import type { RunnerEvent } from '../runner/events.js';
import type { OffendingRow, Violation } from '../runner/violation.js';
import { codeCell, codeSpan, inlineText, table } from './markdown.js';
import { pauseText } from './pause-text.js';
import { groupDigits } from './plan-report.js';

export type RunStatus = 'done' | 'paused' | 'skipped' | 'unfinished';

export interface MigrationRun {
  readonly migration: string;
  /** `unfinished`: it started and no end was reported (the run failed or was stopped). */
  readonly status: RunStatus;
  /** Rows the migration holds when done; else rows its batches committed in this run. */
  readonly rows: number;
  readonly skippedRows: number;
  readonly rejectedRows: number;
  /** Every batch was done before this run began: it loaded nothing now. */
  readonly alreadyDone: boolean;
  readonly pause?: {
    readonly batchNo?: number;
    readonly violation: Violation;
    readonly offending: readonly OffendingRow[];
  };
  readonly skipReason?: string;
}

export interface RunSummary {
  /** In the order the run reached them. */
  readonly migrations: readonly MigrationRun[];
  /** Set when the run itself failed: what `--json` printed instead of finishing. */
  readonly failure?: readonly Diagnostic[];
}

/**
 * Folds a run's events into one outcome per migration.
 *
 * @example
 * const summary = summarizeRun(events);
 * summary.migrations.filter((m) => m.status === 'paused');
 */
export function summarizeRun(events: readonly RunnerEvent[], failure?: readonly Diagnostic[]): RunSummary {
  const runs = new Map<string, { -readonly [K in keyof MigrationRun]: MigrationRun[K] }>();
  const entry = (migration: string) => {
    let run = runs.get(migration);
    if (!run) {
      run = { migration, status: 'unfinished', rows: 0, skippedRows: 0, rejectedRows: 0, alreadyDone: false };
      runs.set(migration, run);
    }
    return run;
  };
  for (const event of events) {
    if (event.type === 'constraint-restored') continue;
    const run = entry(event.migration);
    if (event.type === 'migration-started') {
      run.alreadyDone = event.batches > 0 && event.doneBatches === event.batches;
    } else if (event.type === 'batch-committed') {
      run.alreadyDone = false;
      run.rows += event.rows;
      run.skippedRows += event.skipped ?? 0;
      run.rejectedRows += event.rejected ?? 0;
    } else if (event.type === 'migration-done') {
      run.status = 'done';
      run.rows = event.rows;
    } else if (event.type === 'migration-paused') {
      run.status = 'paused';
      run.pause = {
        ...(event.batchNo === undefined ? {} : { batchNo: event.batchNo }),
        violation: event.violation,
        offending: event.offending ?? [],
      };
    } else if (event.type === 'migration-skipped') {
      run.status = 'skipped';
      run.skipReason = event.reason;
    }
  }
  return { migrations: [...runs.values()], ...(failure?.length ? { failure } : {}) };
}

/** One phrase for a migration's outcome: `✓ 1,000 rows`, `⏸ paused at batch 3: …`. */
export function runOutcomeText(run: MigrationRun | undefined, dryRun: boolean): string {
  if (!run) return dryRun ? 'not reached' : 'not run';
  switch (run.status) {
    case 'done':
      if (run.alreadyDone) return `✓ already done (${groupDigits(run.rows)} rows)`;
      return `✓ ${groupDigits(run.rows)} rows${leftOutText(run)}`;
    case 'paused':
      return `⏸ ${run.pause ? pauseText(run.pause.batchNo, run.pause.violation) : 'paused'}`;
    case 'skipped':
      return `skipped: ${run.skipReason ?? 'a migration it depends on did not finish'}`;
    case 'unfinished':
      return `unfinished after ${groupDigits(run.rows)} rows`;
  }
}

function leftOutText(run: MigrationRun): string {
  const parts = [
    ...(run.skippedRows ? [`${groupDigits(run.skippedRows)} skipped`] : []),
    ...(run.rejectedRows ? [`${groupDigits(run.rejectedRows)} rejected`] : []),
  ];
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** The rows a pause names, one list item each (at most `limit`). */
export function offendingItems(run: MigrationRun, limit = 5): string[] {
  const rows = run.pause?.offending ?? [];
  const items = rows.slice(0, limit).map((row) => {
    const why = row.detail ?? row.message;
    return `- source key ${codeSpan(row.key.join(', '))}: ${inlineText(`${row.constraint ? `${row.constraint}: ` : ''}${why}`)}`;
  });
  if (rows.length > limit) items.push(`- … and ${groupDigits(rows.length - limit)} more`);
  return items;
}

/**
 * The job summary of `ferry apply`: a headline, then one row per migration in `order` (the plan's),
 * and the rows each pause names.
 */
export function renderRunMarkdown(
  summary: RunSummary,
  options: { readonly dryRun: boolean; readonly order: readonly string[] },
): string {
  const byName = new Map(summary.migrations.map((m) => [m.migration, m]));
  const names = [
    ...options.order,
    ...summary.migrations.map((m) => m.migration).filter((n) => !options.order.includes(n)),
  ];
  const done = names.filter((n) => byName.get(n)?.status === 'done').length;
  const headline = options.dryRun
    ? `### ferry apply --dry-run: ${done} of ${names.length} migrations would finish; the target is unchanged`
    : `### ferry apply: ${done} of ${names.length} migrations done`;
  const lines = [headline, ''];
  if (summary.failure) {
    lines.push(
      'The run failed:',
      '',
      ...summary.failure.map((d) => `- ${inlineText(`${d.code}: ${d.message}`)}`),
      '',
    );
  }
  lines.push(
    ...table(
      ['migration', options.dryRun ? 'dry run' : 'result'],
      names.map((name) => [codeCell(name), inlineText(runOutcomeText(byName.get(name), options.dryRun))]),
    ),
  );
  for (const run of summary.migrations) {
    const items = offendingItems(run);
    if (items.length > 0) lines.push('', `Rows at fault in ${codeSpan(run.migration)}:`, '', ...items);
  }
  return `${lines.join('\n')}\n`;
}
