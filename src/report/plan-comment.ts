// The plan report for a pull-request comment: a hidden marker (so the comment is updated in place),
// the counts, a summary table, the graph with the changed migrations marked, and one collapsible
// section per migration. Bounded in size: past the limit, sections are left out (the least important
// from the end first), then the graph, then table rows, and the comment points to the full report.

import type { Diagnostic } from '../errors.js';
import { MERMAID_MAX_EDGES, mermaidEdgeCount } from './graph.js';
import { codeSpan, inlineText, tableRow } from './markdown.js';
import {
  graphLines,
  headline,
  type MigrationFacts,
  migrationFacts,
  migrationSection,
  type PlanReportInput,
  plural,
  removedLines,
  reportMarker,
  statusNote,
  summaryTable,
  tooLargeGraph,
} from './plan-comment-parts.js';
import { groupDigits } from './plan-report.js';
import { timeZoneMarkdown } from './time-zone-report.js';

export type { PlanReportInput } from './plan-comment-parts.js';

/**
 * GitHub refuses a comment longer than 65,536 characters. The report is measured in UTF-8 bytes, which
 * are never fewer than characters, and kept a little under, so it fits whatever GitHub counts.
 */
export const COMMENT_MAX_BYTES = 65_000;

/** A job summary may hold 1 MiB per step; a step may run several ferry commands that each add one. */
export const SUMMARY_MAX_BYTES = 500_000;

export interface RenderedPlanReport {
  readonly markdown: string;
  readonly bytes: number;
  /** Something was left out to fit. */
  readonly shortened: boolean;
  /** Migration sections left out. */
  readonly omittedSections: number;
}

interface Piece {
  readonly text: string;
  readonly bytes: number;
  readonly important: boolean;
}

function piece(lines: readonly string[], important = false): Piece {
  const text = `${lines.join('\n')}\n`;
  return { text, bytes: Buffer.byteLength(text), important };
}

/**
 * Renders the report within `maxBytes` (COMMENT_MAX_BYTES unless given).
 *
 * @example
 * const { markdown, shortened } = renderPlanReport({ plan, changes, artifact: runUrl });
 */
export function renderPlanReport(
  input: PlanReportInput,
  options: { readonly maxBytes?: number } = {},
): RenderedPlanReport {
  const maxBytes = options.maxBytes ?? COMMENT_MAX_BYTES;
  const facts = migrationFacts(input);
  const table = summaryTable(input, facts);
  const parts = {
    top: piece(topLines(input, facts)),
    tableHead: piece(table.head),
    rows: table.rows.map((row, i) => piece([row], (facts[i] as MigrationFacts).important)),
    afterTable: piece(['', ...optionalLines(statusNote(input.applied)), ...removedLines(input.changes)]),
    graph: piece(['', '#### Graph', '', ...graphLines(input)]),
    sectionsHead: piece(['', '#### Migrations']),
    sections: facts.map((f) => piece(['', ...migrationSection(f)], f.important)),
  };
  const footer = (omitted: Omitted) => piece(footerLines(input, omitted, facts.length));
  // The footer at its longest: budgeted before anything is left out, so leaving out never overflows.
  const worst = footer({ sections: facts.length, rows: facts.length, graph: true });
  let budget = maxBytes - worst.bytes;

  const fixed = parts.top.bytes + parts.tableHead.bytes + parts.afterTable.bytes + parts.sectionsHead.bytes;
  const keptSections = keepWithin(parts.sections, budget - fixed - parts.graph.bytes - sum(parts.rows));
  const sectionsBytes = sum(parts.sections.filter((_, i) => keptSections.has(i)));
  // A graph too large to draw is already a one-line note: leaving it out would save nothing.
  const graphFits =
    !graphDrawn(parts.graph) || fixed + parts.graph.bytes + sum(parts.rows) + sectionsBytes <= budget;
  const graph = graphFits ? parts.graph : piece(['', '#### Graph', '', leftOutGraph(input)]);
  budget -= fixed + graph.bytes + sectionsBytes;
  const { columns } = table;
  // Rows left out are counted in a row of their own, which needs its room.
  const keptRows =
    sum(parts.rows) <= budget
      ? new Set(parts.rows.keys())
      : keepWithin(parts.rows, budget - Buffer.byteLength(moreRow(facts.length, facts.length, columns)));

  const omitted: Omitted = {
    sections: facts.length - keptSections.size,
    rows: facts.length - keptRows.size,
    graph: !graphFits,
  };
  const text = [
    parts.top.text,
    parts.tableHead.text,
    ...parts.rows.filter((_, i) => keptRows.has(i)).map((p) => p.text),
    ...(omitted.rows ? [moreRow(omitted.rows, facts.length, columns)] : []),
    parts.afterTable.text,
    graph.text,
    ...(keptSections.size ? [parts.sectionsHead.text] : []),
    ...parts.sections.filter((_, i) => keptSections.has(i)).map((p) => p.text),
    footer(omitted).text,
  ].join('');
  const markdown = fitBytes(text, maxBytes);
  return {
    markdown,
    bytes: Buffer.byteLength(markdown),
    shortened: omitted.sections > 0 || omitted.rows > 0 || omitted.graph || markdown !== text,
    omittedSections: omitted.sections,
  };
}

/** The report of a plan that failed: what to fix, where, so the pull request shows it too. */
export function renderPlanFailure(
  diagnostics: readonly Diagnostic[],
  options: { readonly commentKey?: string; readonly artifact?: string } = {},
): string {
  const lines = [
    reportMarker(options.commentKey),
    '### ferry plan failed',
    '',
    `${plural(diagnostics.length, 'problem')} to fix before this can be planned:`,
    '',
    ...diagnostics.map((d) => {
      const where = d.location
        ? `${codeSpan(`${d.location.file}:${d.location.line}:${d.location.column}`)} `
        : '';
      const hint = d.hint ? ` (${inlineText(d.hint)})` : '';
      return `- ${where}**${d.code}**: ${inlineText(d.message)}${hint}`;
    }),
    ...(options.artifact ? ['', artifactLine(options.artifact)] : []),
  ];
  return fitBytes(`${lines.join('\n')}\n`, COMMENT_MAX_BYTES);
}

function topLines(input: PlanReportInput, facts: readonly MigrationFacts[]): string[] {
  return [
    reportMarker(input.commentKey),
    '### ferry plan',
    '',
    headline(input, facts),
    '',
    ...(input.lockSummary ? [inlineText(input.lockSummary), ''] : []),
    // Settings that hold for the whole plan, such as the source time zone, go here.
    ...timeZoneMarkdown(input.plan.sourceTimeZone),
  ];
}

function optionalLines(line: string | undefined): string[] {
  return line === undefined ? [] : [line];
}

interface Omitted {
  readonly sections: number;
  readonly rows: number;
  readonly graph: boolean;
}

function footerLines(input: PlanReportInput, omitted: Omitted, total: number): string[] {
  const left = [
    ...(omitted.sections
      ? [`${plural(omitted.sections, 'migration section')} of ${groupDigits(total)}`]
      : []),
    ...(omitted.rows ? [`${plural(omitted.rows, 'table row')}`] : []),
    ...(omitted.graph ? ['the graph'] : []),
  ];
  const lines: string[] = [];
  if (left.length) {
    const where = input.artifact
      ? 'the full report is in the artifact below'
      : '`ferry plan --format markdown --max-bytes 0` prints the full report';
    lines.push('', `_Shortened to fit a pull-request comment: ${left.join(', ')} left out; ${where}._`);
  }
  if (input.artifact) lines.push('', artifactLine(input.artifact));
  return lines;
}

function artifactLine(artifact: string): string {
  if (/^https?:\/\/\S+$/.test(artifact)) {
    const url = artifact.replaceAll('(', '%28').replaceAll(')', '%29');
    return `Full report and plan: [${inlineText(artifact.replace(/^https?:\/\//, ''))}](${url})`;
  }
  return `Full report and plan: ${inlineText(artifact)}`;
}

function leftOutGraph(input: PlanReportInput): string {
  const edges = mermaidEdgeCount(input.plan);
  if (edges > MERMAID_MAX_EDGES) return tooLargeGraph(edges);
  return 'The graph is left out to fit the comment: `ferry graph --format mermaid` prints it.';
}

/** The row that stands for the rows left out, as wide as the table. */
function moreRow(count: number, total: number, columns: number): string {
  const cells = ['', `… ${plural(count, 'more migration')} of ${groupDigits(total)}`];
  while (cells.length < columns) cells.push('');
  return `${tableRow(cells)}\n`;
}

function graphDrawn(graph: Piece): boolean {
  return graph.text.includes('```mermaid');
}

/** Which pieces to keep within `budget`: the important ones first, each group from the start. */
function keepWithin(pieces: readonly Piece[], budget: number): Set<number> {
  const kept = new Set<number>();
  let used = 0;
  for (const important of [true, false]) {
    for (const [i, p] of pieces.entries()) {
      if (p.important !== important) continue;
      if (used + p.bytes > budget) break;
      kept.add(i);
      used += p.bytes;
    }
  }
  return kept;
}

function sum(pieces: readonly Piece[]): number {
  return pieces.reduce((total, p) => total + p.bytes, 0);
}

/** The last resort for a limit smaller than the report's fixed parts: cut at a character boundary. */
function fitBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const note = '\n\n_(cut to fit)_\n';
  let cut = Buffer.from(text)
    .subarray(0, Math.max(0, maxBytes - Buffer.byteLength(note)))
    .toString('utf8');
  // A multi-byte character cut in half decodes to U+FFFD; drop it.
  cut = cut.replace(/\uFFFD$/, '');
  return `${cut}${note}`;
}
