// The apply benchmark's result: per contender the median wall time, its spread, rows per second and
// peak RSS; ferry's figures as ratios to the matching floor and to pgloader, against the goals of the
// issue (reported, never asserted). One table, printed as text and written as JSON and Markdown.

import { median } from '../stats.js';
import type { ContenderKey, Sample } from './contenders.js';

export interface Figure {
  readonly key: ContenderKey;
  readonly label: string;
  readonly ferry: boolean;
  readonly samples: readonly Sample[];
  /** Why it was not run (a tool not installed). */
  readonly skipped?: string;
}

export interface Summary {
  readonly key: ContenderKey;
  readonly label: string;
  readonly samples: readonly Sample[];
  readonly medianSeconds: number;
  readonly minSeconds: number;
  readonly maxSeconds: number;
  readonly rowsPerSecond: number;
  /** The highest of its runs; undefined when not measured. */
  readonly peakRssBytes: number | undefined;
}

export interface GoalResult {
  readonly goal: string;
  readonly figure: ContenderKey | 'memory';
  readonly value: number | undefined;
  readonly limit: number;
  /** undefined: the figure it compares with was not measured. */
  readonly met: boolean | undefined;
}

interface RatioGoal {
  readonly figure: ContenderKey;
  readonly against: ContenderKey;
  readonly limit: number;
  readonly goal: string;
}

const RATIO_GOALS: readonly RatioGoal[] = [
  { figure: 'safe', against: 'layered', limit: 1.1, goal: 'safe ≤ 1.1× the layered floor' },
  // Safe mode keeps every constraint live and pgloader none: their ratio is shown, but it is no goal.
  { figure: 'bulk', against: 'deferred', limit: 1.3, goal: '--bulk ≤ 1.3× the deferred floor' },
  { figure: 'bulk', against: 'pgloader', limit: 0.5, goal: '--bulk ≥ 2× faster than pgloader' },
  { figure: 'remap', against: 'safe', limit: 1.5, goal: 'ID remap ≤ 1.5× preserved keys (safe)' },
  { figure: 'resume', against: 'safe', limit: 1.1, goal: 'kill + resume ≤ 1.1× uninterrupted (safe)' },
];

/** The MySQL source's goals (its own floors and pgloader's MySQL load); it runs no remap or resume. */
const MYSQL_RATIO_GOALS: readonly RatioGoal[] = [
  { figure: 'safe', against: 'layered', limit: 1.15, goal: 'safe ≤ 1.15× the layered floor' },
  { figure: 'bulk', against: 'deferred', limit: 1.3, goal: '--bulk ≤ 1.3× the deferred floor' },
  { figure: 'bulk', against: 'pgloader', limit: 1 / 1.5, goal: '--bulk ≥ 1.5× faster than pgloader' },
];

/** What each ferry figure is held against in the "vs floor" column. */
const BASELINE: Partial<Record<ContenderKey, { key: ContenderKey; name: string }>> = {
  safe: { key: 'layered', name: 'layered' },
  bulk: { key: 'deferred', name: 'deferred' },
  remap: { key: 'safe', name: 'safe' },
  resume: { key: 'safe', name: 'safe' },
};

const MIB = 1024 * 1024;
export const RSS_GOAL_BYTES = 150 * MIB;

export function summarize(figure: Figure, totalRows: number): Summary | undefined {
  if (figure.skipped !== undefined || figure.samples.length === 0) return undefined;
  const seconds = figure.samples.map((s) => s.seconds);
  const rss = figure.samples.map((s) => s.peakRssBytes);
  const medianSeconds = median(seconds);
  return {
    key: figure.key,
    label: figure.label,
    samples: figure.samples,
    medianSeconds,
    minSeconds: Math.min(...seconds),
    maxSeconds: Math.max(...seconds),
    rowsPerSecond: totalRows / medianSeconds,
    peakRssBytes: rss.includes(undefined) ? undefined : Math.max(...(rss as number[])),
  };
}

/** The ratio of two figures' medians, when both were measured. */
function ratio(summaries: ReadonlyMap<ContenderKey, Summary>, figure: ContenderKey, against: ContenderKey) {
  const a = summaries.get(figure);
  const b = summaries.get(against);
  return a && b ? a.medianSeconds / b.medianSeconds : undefined;
}

/** ferry's highest peak RSS over all its runs of this scale. */
export function ferryPeakRss(figures: readonly Figure[]): number | undefined {
  const rss = figures.filter((f) => f.ferry).flatMap((f) => f.samples.map((s) => s.peakRssBytes));
  return rss.length === 0 || rss.includes(undefined) ? undefined : Math.max(...(rss as number[]));
}

export function goalResults(
  summaries: ReadonlyMap<ContenderKey, Summary>,
  figures: readonly Figure[],
  scale: number,
  source: 'postgres' | 'mysql' = 'postgres',
): GoalResult[] {
  const ratios = (source === 'mysql' ? MYSQL_RATIO_GOALS : RATIO_GOALS).map((g): GoalResult => {
    const value = ratio(summaries, g.figure, g.against);
    return {
      goal: g.goal,
      figure: g.figure,
      value,
      limit: g.limit,
      met: value === undefined ? undefined : value <= g.limit,
    };
  });
  const rss = ferryPeakRss(figures);
  return [
    ...ratios,
    {
      goal: `ferry peak RSS ≤ 150 MiB (scale ${scale})`,
      figure: 'memory',
      value: rss,
      limit: RSS_GOAL_BYTES,
      met: rss === undefined ? undefined : rss <= RSS_GOAL_BYTES,
    },
  ];
}

function seconds(value: number): string {
  return value < 10 ? `${value.toFixed(2)} s` : `${value.toFixed(1)} s`;
}

/** min–max in one unit: `4.91–5.30 s`. */
function spread(min: number, max: number): string {
  return `${seconds(min).replace(' s', '')}–${seconds(max)}`;
}

function mebibytes(bytes: number | undefined): string {
  return bytes === undefined ? 'unknown' : `${Math.round(bytes / MIB)} MiB`;
}

function times(value: number | undefined): string {
  return value === undefined ? '—' : `${value.toFixed(2)}×`;
}

function verdict(met: boolean | undefined): string {
  if (met === undefined) return 'n/a';
  return met ? 'met' : 'missed';
}

function goalCell(results: readonly GoalResult[], key: ContenderKey): string {
  return results
    .filter((r) => r.figure === key)
    .map((r) => {
      const against = [...RATIO_GOALS, ...MYSQL_RATIO_GOALS].find((g) => g.goal === r.goal)?.against;
      const name = against === 'pgloader' || against === 'safe' ? against : 'floor';
      return `${name} ≤ ${Number(r.limit.toFixed(2))}× ${verdict(r.met)}`;
    })
    .join(', ');
}

export const HEADER = ['what', 'median', 'min–max', 'rows/s', 'peak RSS', 'vs floor', 'vs pgloader', 'goals'];

/** The table's rows as cells, in the order the figures were run, the memory row last. */
export function tableRows(
  figures: readonly Figure[],
  summaries: ReadonlyMap<ContenderKey, Summary>,
  goals: readonly GoalResult[],
): string[][] {
  const rows = figures.map((figure) => {
    const summary = summaries.get(figure.key);
    if (!summary)
      return [figure.label, '—', '—', '—', '—', '—', '—', `not run: ${figure.skipped ?? 'no runs'}`];
    const baseline = BASELINE[figure.key];
    const vsFloor = baseline
      ? `${times(ratio(summaries, figure.key, baseline.key))} ${baseline.name}`
      : figure.ferry
        ? '—'
        : '1× (floor)';
    const vsPgloader =
      figure.key === 'safe' || figure.key === 'bulk' ? times(ratio(summaries, figure.key, 'pgloader')) : '—';
    return [
      figure.label,
      seconds(summary.medianSeconds),
      spread(summary.minSeconds, summary.maxSeconds),
      Math.round(summary.rowsPerSecond).toLocaleString('en-US'),
      figure.ferry || figure.key === 'pgloader' ? mebibytes(summary.peakRssBytes) : '—',
      figure.key === 'layered' || figure.key === 'deferred' ? '1×' : vsFloor,
      vsPgloader,
      goalCell(goals, figure.key),
    ];
  });
  const memory = goals.find((g) => g.figure === 'memory');
  rows.push([
    'ferry peak RSS (all its runs)',
    '',
    '',
    '',
    mebibytes(memory?.value),
    '',
    '',
    `≤ 150 MiB ${verdict(memory?.met)}`,
  ]);
  return rows;
}

/** The rows as an aligned text table: labels left, figures right. */
export function textTable(rows: readonly (readonly string[])[]): string {
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((cells) => (cells[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) =>
        i === 0 || i === cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(HEADER), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The rows as a Markdown table, for docs/performance.md. */
export function markdownTable(rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const rule = `|${HEADER.map((_, i) => (i === 0 || i === HEADER.length - 1 ? '---' : '---:')).join('|')}|`;
  return [line(HEADER), rule, ...rows.map(line)].join('\n');
}

export { mebibytes, seconds };
