// The result of `ferry diff` for people and machines: one line per difference for terminals, a table
// for a pull-request comment, a stable JSON document for scripts (its shape is in docs/diff.md).

import type { DiffResult } from '../diff/diff-project.js';
import { DIFFERENCE_KINDS, type Difference, type DifferenceKind } from '../diff/differences.js';
import { plainStyle, type Style } from './style.js';

export type DiffFormat = 'text' | 'markdown' | 'json';

interface KindLook {
  readonly symbol: string;
  readonly label: string;
  readonly color: keyof Style;
}

/** Symbols read like a plan's: + to add, - gone from the plan, ~ changed, ! written another way. */
const LOOK: Readonly<Record<DifferenceKind, KindLook>> = {
  'lock-stale': { symbol: '?', label: 'lock stale', color: 'yellow' },
  'schema-drift': { symbol: '≠', label: 'schema drift', color: 'yellow' },
  'not-applied': { symbol: '+', label: 'not applied', color: 'green' },
  partial: { symbol: '◐', label: 'partial', color: 'yellow' },
  'mapping-changed': { symbol: '!', label: 'mapping changed', color: 'red' },
  'spec-changed': { symbol: '~', label: 'spec changed', color: 'yellow' },
  'source-rows-drift': { symbol: '±', label: 'source rows', color: 'cyan' },
  'not-planned': { symbol: '-', label: 'not planned', color: 'red' },
};

/** The one line a clean comparison prints. */
export function noDifferencesLine(plannedFrom: string): string {
  return `No differences: the target holds what ${plannedFrom} plans.`;
}

/** `3 differences in 2 migrations: 1 mapping changed, 2 not applied` */
export function diffSummaryLine(result: DiffResult): string {
  const { summary } = result;
  if (summary.differences === 0) return noDifferencesLine(summary.plannedFrom);
  const kinds = DIFFERENCE_KINDS.filter((k) => summary.byKind[k] > 0).map(
    (k) => `${summary.byKind[k]} ${LOOK[k].label}`,
  );
  return `${plural(summary.differences, 'difference')} in ${plural(summary.migrations, 'migration')}: ${kinds.join(', ')}`;
}

/** One line per difference, grouped by kind (the result's order), then the summary. */
export function renderDiffText(result: DiffResult, style: Style = plainStyle): string {
  if (result.differences.length === 0)
    return `${style.green(noDifferencesLine(result.summary.plannedFrom))}\n`;
  const width = Math.max(...result.differences.map((d) => d.migration.length));
  const labelWidth = Math.max(...result.differences.map((d) => LOOK[d.kind].label.length));
  const lines = result.differences.map((d) => {
    const look = LOOK[d.kind];
    const paint = style[look.color];
    return `${paint(look.symbol)} ${d.migration.padEnd(width)}  ${paint(look.label.padEnd(labelWidth))}  ${d.detail}`;
  });
  return `${[...lines, '', style.bold(diffSummaryLine(result))].join('\n')}\n`;
}

/** A table suited to a pull-request comment, then the summary. */
export function renderDiffMarkdown(result: DiffResult): string {
  const { summary } = result;
  if (result.differences.length === 0) return `### ferry diff\n\n${noDifferencesLine(summary.plannedFrom)}\n`;
  const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const lines = [
    `### ferry diff: ${plural(summary.differences, 'difference')} in ${plural(summary.migrations, 'migration')}`,
    '',
    '| migration | difference | detail |',
    '|---|---|---|',
    ...result.differences.map(
      (d) => `| \`${d.migration}\` | ${LOOK[d.kind].symbol} ${LOOK[d.kind].label} | ${cell(d.detail)} |`,
    ),
    '',
    `${diffSummaryLine(result)}. Planned: \`${summary.plannedFrom}\`; ${summary.applied} of ${summary.planned} planned migrations applied.`,
  ];
  return `${lines.join('\n')}\n`;
}

/** `{ differences, summary }`, each difference with its kind's fields (docs/diff.md). */
export function renderDiffJson(result: DiffResult): string {
  return JSON.stringify({ differences: result.differences, summary: result.summary }, null, 2);
}

/** The message of a `::warning::` annotation for one difference. */
export function differenceAnnotation(difference: Difference): string {
  return `${difference.migration}: ${LOOK[difference.kind].label}: ${difference.detail}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
