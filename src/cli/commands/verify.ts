// `ferry verify`: does the target hold exactly what the source says, per migration? A table of verdicts,
// then the rows at fault of each migration that does not match. Exit 0 when every selected migration
// matches, 1 when any does not (or is not applied yet). `--json` for scripts.

import { groupDigits } from '../../report/plan-report.js';
import { describeSequenceFinding } from '../../verify/sequences.js';
import type { MigrationVerdict, RowProblem, RowProblemKind } from '../../verify/types.js';
import { verifyProject } from '../../verify/verify-project.js';
import type { CliContext } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { projectOptions, selectionOptions } from '../project-options.js';

export interface VerifyCommandOptions {
  readonly select?: string[];
  readonly exclude?: string[];
}

const KIND_ORDER: readonly RowProblemKind[] = ['missing', 'extra', 'duplicate', 'changed', 'unmapped'];

/** The longest value shown of a changed column; the JSON output has them whole. */
const VALUE_WIDTH = 40;

export async function verifyCommand(
  context: CliContext,
  options: VerifyCommandOptions,
): Promise<ExitCodeValue> {
  const result = await verifyProject({
    ...projectOptions(context),
    ...selectionOptions(options),
  });
  const exitCode = result.ok ? ExitCode.ok : ExitCode.error;
  if (context.json) {
    context.out(JSON.stringify(result, null, 2));
    return exitCode;
  }
  const width = Math.max(...result.migrations.map((m) => m.migration.length), 9);
  context.out(columns(width, ['migration', 'status', 'source rows', 'target rows', 'columns', 'problems']));
  for (const verdict of result.migrations) {
    const line = columns(width, [
      verdict.migration,
      verdict.status,
      groupDigits(verdict.sourceRows),
      groupDigits(verdict.targetRows),
      verdict.status === 'ok' || verdict.status === 'mismatch'
        ? `${verdict.checkedColumns.length}/${verdict.checkedColumns.length + verdict.uncheckedColumns.length}`
        : '-',
      summary(verdict),
    ]);
    context.out(verdict.status === 'ok' ? line : context.style.red(line));
  }
  for (const verdict of result.migrations) {
    const lines = details(verdict);
    if (lines.length > 0)
      context.out(['', `${verdict.migration}:`, ...lines.map((l) => `  ${l}`)].join('\n'));
  }
  const failed = result.migrations.filter((m) => m.status !== 'ok').length;
  const total = result.migrations.length;
  context.out('');
  context.out(
    failed === 0
      ? context.style.green(`✓ ${total} of ${total} migrations match their source`)
      : context.style.red(`${failed} of ${total} migrations do not match their source`),
  );
  return exitCode;
}

/** The problems in a few words: what differs and how many rows, for the table. */
function summary(verdict: MigrationVerdict): string {
  if (verdict.status === 'error') return 'the comparison failed';
  if (verdict.status !== 'ok' && verdict.status !== 'mismatch') return 'apply has not finished it';
  const parts = KIND_ORDER.flatMap((kind) => {
    const n = verdict.counts[kind] ?? 0;
    return n > 0 ? [`${groupDigits(n)} ${kind}`] : [];
  });
  const orphans = verdict.orphans.reduce((sum, o) => sum + o.rows, 0);
  if (orphans > 0) parts.push(`${groupDigits(orphans)} orphaned`);
  if (verdict.sequences.length > 0)
    parts.push(`${verdict.sequences.length} sequence${verdict.sequences.length === 1 ? '' : 's'} behind`);
  if (verdict.expectedRows !== null && verdict.expectedRows !== verdict.targetRows) {
    parts.push(`${groupDigits(verdict.expectedRows)} rows expected`);
  }
  const others = verdict.problems.length - (verdict.expectedRows !== verdict.targetRows ? 1 : 0);
  if (others > 0) parts.push(`${others} other problem(s)`);
  return parts.length > 0 ? parts.join(', ') : '-';
}

function details(verdict: MigrationVerdict): string[] {
  const lines = [
    ...verdict.problems,
    ...verdict.rows.map((row) => rowLine(verdict.keyColumns, row)),
    ...rowsLeftOut(verdict),
    ...verdict.orphans.flatMap((orphan) => [
      `${groupDigits(orphan.rows)} row(s) break ${orphan.constraint} (${orphan.columns.join(', ')} → ${orphan.references}):`,
      ...orphan.first.map(
        (row) =>
          `  ${row.key ? keyText(verdict.keyColumns, row.key) : `target key (${(row.targetKey ?? []).join(', ')})`}: ` +
          orphan.columns.map((c, i) => `${c}=${row.values[i] ?? 'NULL'}`).join(', '),
      ),
    ]),
    ...verdict.sequences.map(describeSequenceFinding),
    ...verdict.notes.map((note) => `note: ${note}`),
  ];
  return lines;
}

function rowsLeftOut(verdict: MigrationVerdict): string[] {
  const named = verdict.rows.length;
  const total = Object.values(verdict.counts).reduce((sum, n) => sum + (n ?? 0), 0);
  return total > named
    ? [`(${groupDigits(total - named)} more row(s) not listed; --json lists the same first ${named})`]
    : [];
}

function rowLine(keyColumns: readonly string[], row: RowProblem): string {
  switch (row.kind) {
    case 'missing':
      return `missing    ${keyText(keyColumns, row.key)}: in the source, not in the target`;
    case 'extra':
      return `extra      ${keyText(keyColumns, row.key)}: in the target${copies(row.copies)}, not among the source rows to migrate`;
    case 'duplicate':
      return `duplicate  ${keyText(keyColumns, row.key)}: ${row.copies} copies in the target`;
    case 'changed':
      return `changed    ${keyText(keyColumns, row.key)}: ${row.columns
        .map((c) => `${c.column}: source ${shown(c.source)}, target ${shown(c.target)}`)
        .join('; ')}`;
    case 'unmapped':
      return (
        `unmapped   target key (${(row.targetKey ?? []).join(', ')}): names no source row` +
        (row.copyOf ? ` (a copy of ${keyText(keyColumns, row.copyOf)})` : '')
      );
  }
}

function copies(n: number): string {
  return n > 1 ? ` ${n} times` : '';
}

function keyText(keyColumns: readonly string[], key: readonly string[]): string {
  return key.map((value, i) => `${keyColumns[i] ?? `key${i + 1}`}=${value}`).join(', ');
}

function shown(value: string | null): string {
  if (value === null) return 'NULL';
  return value.length > VALUE_WIDTH ? `${value.slice(0, VALUE_WIDTH - 1)}…` : value;
}

/** Name and status to the left, figures to the right, so digits line up under their header. */
function columns(
  width: number,
  [name, status, source, target, checked, problems]: readonly [
    string,
    string,
    string,
    string,
    string,
    string,
  ],
): string {
  return [
    name.padEnd(width),
    status.padEnd(11),
    source.padStart(11),
    target.padStart(11),
    checked.padStart(7),
    problems,
  ]
    .join('  ')
    .trimEnd();
}
