// The pieces of the pull-request plan report (plan-comment.ts puts them together and fits them in a
// comment): the summary table, the graph, and one collapsible section per migration.

import type { MigrationNode, Plan, PlanDecision, PlanWarning } from '../compiler/plan.js';
import type { MigrationChange, StateComparison } from '../compiler/state-modified.js';
import type { AppliedStatuses, MigrationAppliedStatus } from '../diff/applied-state.js';
import { formatQualifiedName } from '../spec/qualified-name.js';
import { graphMermaid, MERMAID_MAX_EDGES, MERMAID_MAX_TEXT, mermaidEdgeCount } from './graph.js';
import { codeBlock, codeCell, codeSpan, htmlText, inlineText, table, tableRow } from './markdown.js';
import { columnSource, groupDigits } from './plan-report.js';
import { type MigrationRun, offendingItems, type RunSummary, runOutcomeText } from './run-summary.js';

/** Everything the report shows; only the plan is required. */
export interface PlanReportInput {
  readonly plan: Plan;
  /** One line about ferry.lock, as `ferry plan` prints it. */
  readonly lockSummary?: string;
  /** Each migration against what `_ferry` in the target holds; absent when the target was not read. */
  readonly applied?: AppliedStatuses;
  /** Against the base branch's lockfile (--base-lock). */
  readonly changes?: StateComparison;
  /** What `ferry apply --dry-run` met. */
  readonly dryRun?: RunSummary;
  /** Where the full report and plan are (an artifact URL, or any text that says where). */
  readonly artifact?: string;
  /** Tells apart the comments of several ferry projects in one pull request. */
  readonly commentKey?: string;
}

/** Facts about one migration that several parts use. */
export interface MigrationFacts {
  readonly node: MigrationNode;
  readonly change?: MigrationChange;
  readonly affected: boolean;
  readonly decisions: readonly PlanDecision[];
  readonly warnings: readonly PlanWarning[];
  readonly run?: MigrationRun;
  readonly applied?: MigrationAppliedStatus;
  /** Kept in the comment before others when it has to be shortened. */
  readonly important: boolean;
}

export function migrationFacts(input: PlanReportInput): MigrationFacts[] {
  const changed = new Map(input.changes?.changed.map((c) => [c.migration, c]));
  const affected = new Set(input.changes?.affected);
  const runs = new Map(input.dryRun?.migrations.map((r) => [r.migration, r]));
  return input.plan.migrations.map((node) => {
    const change = changed.get(node.name);
    const run = runs.get(node.name);
    const decisions = input.plan.decisions.filter((d) => d.migration === node.name);
    const applied = input.applied?.known ? input.applied.byMigration.get(node.name) : undefined;
    return {
      node,
      ...(change ? { change } : {}),
      affected: affected.has(node.name),
      decisions,
      warnings: input.plan.warnings.filter((w) => w.migration === node.name),
      ...(run ? { run } : {}),
      ...(applied ? { applied } : {}),
      important: change !== undefined || decisions.length > 0 || (run !== undefined && run.status !== 'done'),
    };
  });
}

/** `<!-- ferry:plan-report -->`: how the action finds its own comment to update it in place. */
export function reportMarker(commentKey?: string): string {
  // An HTML comment ends at `--`; a key is reduced to characters that cannot end it early.
  const key = commentKey?.replace(/[^A-Za-z0-9._/]+/g, '_');
  return key ? `<!-- ferry:plan-report ${key} -->` : '<!-- ferry:plan-report -->';
}

/** The bold line under the title: counts a reviewer reads first. */
export function headline(input: PlanReportInput, facts: readonly MigrationFacts[]): string {
  const { plan, changes, dryRun } = input;
  const parts = [
    `**${plural(plan.migrations.length, 'migration')}** in ${plural(plan.layers.length, 'layer')}`,
  ];
  if (changes) {
    const removed = changes.deleted.length ? `, ${changes.deleted.length} removed` : '';
    parts.push(
      `**${changes.changed.length} changed** against the base branch, ${changes.affected.length} downstream${removed}`,
    );
  }
  parts.push(
    plan.decisions.length
      ? `**${plural(plan.decisions.length, 'decision')} to take** before apply`
      : 'no decision to take',
  );
  if (dryRun) {
    const done = facts.filter((f) => f.run?.status === 'done').length;
    parts.push(`dry run: ${done} of ${facts.length} would finish`);
  }
  return parts.join(' · ');
}

/** The summary table: its header lines, and one row per migration (so that rows can be left out). */
export function summaryTable(
  input: PlanReportInput,
  facts: readonly MigrationFacts[],
): { head: string[]; rows: string[]; columns: number } {
  const header = ['', 'migration', 'from → to', 'rows', 'keys', 'status'];
  if (input.dryRun) header.push('dry run');
  header.push('decisions');
  const rows = facts.map((f) => {
    const estimate = f.node.tables?.source.rowEstimate;
    const cells = [
      f.change ? '✱ changed' : f.affected ? '↳ downstream' : '',
      codeCell(f.node.name),
      `${codeCell(formatQualifiedName(f.node.from))} → ${codeCell(formatQualifiedName(f.node.to))}`,
      estimate === undefined ? '?' : `~${groupDigits(Math.round(estimate))}`,
      f.node.keys,
      statusCell(input.applied, f.node.name),
    ];
    if (input.dryRun) cells.push(inlineText(runOutcomeText(f.run, true)));
    cells.push(f.decisions.length ? `**${f.decisions.length} open**` : '✓');
    return tableRow(cells);
  });
  return { head: table(header, []), rows, columns: header.length };
}

function statusCell(applied: AppliedStatuses | undefined, name: string): string {
  if (!applied?.known) return 'unknown';
  return applied.byMigration.get(name)?.status ?? 'unknown';
}

/** What the status column rests on: said once under the table. */
export function statusNote(applied: AppliedStatuses | undefined): string | undefined {
  if (!applied) return 'Status against the target: unknown (the target was not read).';
  if (!applied.known) return `Status against the target: unknown (${inlineText(applied.reason)}).`;
  if (!applied.hasState) return 'The target has no `_ferry` schema yet: nothing has been applied to it.';
  const counts = new Map<string, number>();
  for (const s of applied.byMigration.values()) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  const order = ['applied', 'changed', 'partial', 'not applied'];
  const parts = order.filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${s}`);
  return parts.length ? `Status against the target's \`_ferry\`: ${parts.join(', ')}.` : undefined;
}

/** The deleted migrations, when a base lockfile names any. */
export function removedLines(changes: StateComparison | undefined): string[] {
  if (!changes || changes.deleted.length === 0) return [];
  const names = changes.deleted.map(codeSpan).join(', ');
  return [
    `Removed since the base branch: ${names}. What they loaded stays in the target; \`ferry rollback --select NAME\` deletes it.`,
  ];
}

/** The graph as Mermaid, or a note when it is past what Mermaid draws. */
export function graphLines(input: PlanReportInput): string[] {
  const { plan, changes } = input;
  const edges = mermaidEdgeCount(plan);
  const highlight = changes
    ? { changed: changes.changed.map((c) => c.migration), affected: changes.affected }
    : undefined;
  const text = graphMermaid(plan, highlight);
  if (edges > MERMAID_MAX_EDGES || text.length > MERMAID_MAX_TEXT) return [tooLargeGraph(edges)];
  const legend = changes
    ? ['', 'Filled: changed against the base branch; dashed: downstream of a change.']
    : [];
  return ['```mermaid', ...text.trimEnd().split('\n'), '```', ...legend];
}

export function tooLargeGraph(edges: number): string {
  return `The graph (${plural(edges, 'edge')}) is larger than a comment can draw: \`ferry graph --format mermaid\` prints it.`;
}

/** One migration's collapsible section. */
export function migrationSection(f: MigrationFacts): string[] {
  const { node } = f;
  const tags = [
    ...(f.change ? ['changed'] : f.affected ? ['downstream of a change'] : []),
    plural(node.columns.length, 'column'),
    ...(f.warnings.length ? [plural(f.warnings.length, 'warning')] : []),
    ...(f.decisions.length ? [`${plural(f.decisions.length, 'decision')} to take`] : []),
    ...(f.run && f.run.status !== 'done' ? [`dry run ${f.run.status}`] : []),
  ];
  const open = f.decisions.length > 0 || (f.run !== undefined && f.run.status === 'paused');
  const lines = [
    `<details${open ? ' open' : ''}><summary><code>${htmlText(node.name)}</code> · ${htmlText(tags.join(' · '))}</summary>`,
    '',
    `${codeSpan(formatQualifiedName(node.from))} → ${codeSpan(formatQualifiedName(node.to))} · ${inlineText(factsText(node))}`,
  ];
  if (f.change) lines.push('', `**Changed against the base branch:** ${f.change.details.join('; ')}.`);
  const status = statusLine(f.applied);
  if (status) lines.push('', status);
  lines.push(
    '',
    ...table(
      ['column', 'value', 'origin'],
      node.columns.map((c) => [codeCell(c.target), codeCell(columnSource(c)), originCell(c.origin)]),
    ),
  );
  if (node.fixups.length)
    lines.push('', `Filled in after the load (fix-up): ${node.fixups.map(codeSpan).join(', ')}.`);
  if (f.warnings.length) lines.push('', '**Warnings**', '', ...f.warnings.flatMap(warningItem));
  if (f.decisions.length)
    lines.push(
      '',
      '**Decisions to take** (paste one option into the spec)',
      '',
      ...f.decisions.flatMap(decisionItem),
    );
  if (f.run)
    lines.push(
      '',
      `**Dry run:** ${inlineText(runOutcomeText(f.run, true))}`,
      ...withBlank(offendingItems(f.run)),
    );
  lines.push('', '</details>');
  return lines;
}

/** What a status other than applied or not applied means for this pull request. */
function statusLine(applied: MigrationAppliedStatus | undefined): string | undefined {
  if (applied?.status === 'partial')
    return `**In the target:** ${inlineText(applied.detail ?? 'partly applied')}.`;
  if (applied?.status === 'changed')
    return '**In the target:** rows written from an earlier spec or mapping; `ferry apply` leaves them as they are (`ferry diff` tells how they differ).';
  return undefined;
}

function factsText(node: MigrationNode): string {
  const c = node.classification;
  const kind = c ? (c.shape === 'plain' ? c.class : `${c.class}, ${c.shape}`) : 'unclassified';
  const rows = node.tables?.source.rowEstimate;
  const size = node.batch.size === 'auto' ? 'batch size auto' : `batches of ${groupDigits(node.batch.size)}`;
  const parallel = node.batch.parallelism && node.batch.parallelism > 1 ? ` × ${node.batch.parallelism}` : '';
  return [
    kind,
    ...(rows === undefined ? [] : [`~${groupDigits(Math.round(rows))} rows`]),
    `${size}${parallel}`,
    `keys ${node.keys === 'generate' ? 'generated by the target' : 'preserved'}`,
    ...(node.where === undefined ? [] : [`where ${node.where}`]),
  ].join(' · ');
}

function originCell(origin: MigrationNode['columns'][number]['origin']): string {
  if (origin.kind === 'declared') return 'declared';
  return `inferred by **${inlineText(origin.agent)}** (${origin.confidence.toFixed(2)}): ${inlineText(origin.reason)}`;
}

function warningItem(w: PlanWarning): string[] {
  const head = `- ${w.column ? `${codeSpan(w.column)}: ` : ''}${inlineText(w.message)}`;
  return w.yaml ? [head, '', ...codeBlock(w.yaml, 'yaml').map((l) => `  ${l}`), ''] : [head];
}

function decisionItem(d: PlanDecision, index: number): string[] {
  const lines = [`${index + 1}. ${inlineText(d.question)}`];
  for (const option of d.options)
    lines.push(
      `   - ${inlineText(option.label)}:`,
      '',
      ...codeBlock(option.yaml, 'yaml').map((l) => `     ${l}`),
      '',
    );
  return lines;
}

function withBlank(lines: readonly string[]): string[] {
  return lines.length ? ['', ...lines] : [];
}

export function plural(count: number, noun: string): string {
  return `${groupDigits(count)} ${noun}${count === 1 ? '' : 's'}`;
}
