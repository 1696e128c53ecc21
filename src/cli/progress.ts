// Live progress bars of `ferry apply` on a terminal: a line per migration (bar of batches, rows, rate,
// ETA, then its outcome) with a pause's reason or a connection retry under it, redrawn in place.
// When the run ends the last frame stays, reasons in full.

import { groupDigits } from '../report/plan-report.js';
import { formatDuration, formatRate } from '../report/rate.js';
import type { Style } from '../report/style.js';
import type { RunnerEvent } from '../runner/events.js';
import type { TerminalStream } from './context.js';
import { type MigrationProgress, ProgressTracker } from './progress-state.js';

export interface ProgressViewOptions {
  readonly style: Style;
  /** Milliseconds; tests pass a fake clock. */
  readonly now?: () => number;
  /** The least time between two redraws: a terminal needs no more than about ten frames a second. */
  readonly redrawMs?: number;
}

const ESC = '\u001b[';
const NAME_WIDTH = 32;
const BAR_WIDTH = { min: 10, max: 40 };

export class ProgressView {
  readonly #stream: TerminalStream;
  readonly #style: Style;
  readonly #now: () => number;
  readonly #redrawMs: number;
  readonly #tracker = new ProgressTracker();
  #timer: NodeJS.Timeout | undefined;
  #drawn: readonly string[] = [];

  constructor(stream: TerminalStream, options: ProgressViewOptions) {
    this.#stream = stream;
    this.#style = options.style;
    this.#now = options.now ?? Date.now;
    this.#redrawMs = options.redrawMs ?? 100;
  }

  /** Records the event; the next tick draws it, so a burst of commits costs one frame. */
  onEvent(event: RunnerEvent): void {
    this.#tracker.record(event, this.#now());
    // Ticking also between events: rate and ETA move with the clock while a long batch loads.
    this.#timer ??= setInterval(() => this.#draw(false), this.#redrawMs).unref();
  }

  /** Draws the final frame and stops redrawing; what is written after it goes below the bars. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#draw(true);
  }

  #draw(final: boolean): void {
    const columns = this.#stream.columns || 80;
    const progress = this.#tracker.snapshot(this.#now());
    const lines = frameLines(progress, this.#style, columns, final);
    if (lines.length === 0 || (!final && lines.join('\n') === this.#drawn.join('\n'))) return;
    // Back to the first line of the previous frame, then overwrite it line by line. Live lines never
    // reach the last column, so each takes one terminal row and the count below is exact.
    const up = this.#drawn.length > 0 ? `\r${ESC}${this.#drawn.length}A` : '';
    this.#stream.write(`${up}${lines.map((line) => `${line}${ESC}K\n`).join('')}${ESC}J`);
    this.#drawn = lines;
  }
}

/**
 * One frame: a line per migration, with a pause's reason or a pending retry under it. Live frames
 * are cut to the terminal's width; the final one keeps reasons whole, since nothing redraws over it.
 */
export function frameLines(
  progress: readonly MigrationProgress[],
  style: Style,
  columns: number,
  final: boolean,
): string[] {
  if (progress.length === 0) return [];
  const name = Math.min(NAME_WIDTH, Math.max(...progress.map((p) => p.migration.length)));
  const entries = progress.map((p) => ({ p, ...cellsOf(p) }));
  // Right-aligned figures; a column empty on every line takes no room at all.
  const widths = [0, 1, 2, 3]
    .map((i) => ({ i, width: Math.max(...entries.map((entry) => (entry.figures[i] as string).length)) }))
    .filter(({ width }) => width > 0);
  const tailWidth = Math.max(...entries.map((entry) => entry.tail.length));
  const rest = 2 + name + widths.reduce((sum, { width }) => sum + 2 + width, 0) + 2 + 2 + tailWidth;
  const bar = Math.max(BAR_WIDTH.min, Math.min(BAR_WIDTH.max, columns - 1 - rest));
  const clip = (line: string) => (final ? line : truncateVisible(line, columns - 1));
  return entries.flatMap(({ p, figures, tail }) => {
    const label = fitName(p.migration, name);
    if (p.outcome === 'skipped') return [clip(style.dim(`- ${label}  skipped: ${p.note ?? ''}`))];
    const line = [
      `${mark(p, style)} ${label}`,
      barText(p, bar, style),
      ...widths.map(({ i, width }) => (figures[i] as string).padStart(width)),
      p.outcome === 'paused' ? style.red(tail) : tail,
    ].join('  ');
    const main = clip(line.trimEnd());
    if (!p.note) return [main];
    // One screen line per note line: the redraw counts lines to move the cursor back over them.
    const color = p.outcome === 'paused' ? style.red : style.yellow;
    return [main, ...p.note.split('\n').map((noteLine) => clip(color(`    ${noteLine}`)))];
  });
}

/**
 * Batches, rows, rows left out (only when some were) and rate (only once a batch of this run
 * committed); then the ETA or the outcome.
 */
function cellsOf(p: MigrationProgress): { figures: string[]; tail: string } {
  const rate = p.rowsPerSecond === undefined ? '' : formatRate(p.rowsPerSecond);
  const tail =
    p.outcome === 'done'
      ? `done in ${formatDuration(p.elapsedSeconds)}`
      : p.outcome === 'paused'
        ? 'paused'
        : p.etaSeconds === undefined
          ? ''
          : `ETA ${formatDuration(p.etaSeconds)}`;
  const counts = [`${p.doneBatches}/${p.batches}`, `${groupDigits(p.rows)} rows`, p.leftOut.join(', ')];
  return { figures: [...counts, rate], tail };
}

function mark(p: MigrationProgress, style: Style): string {
  if (p.outcome === 'done') return style.green('✓');
  if (p.outcome === 'paused') return style.red('⏸');
  return ' ';
}

function barText(p: MigrationProgress, width: number, style: Style): string {
  const share = p.batches === 0 ? (p.outcome === 'done' ? 1 : 0) : p.doneBatches / p.batches;
  const filled = Math.round(share * width);
  const paint = (text: string, colour: (text: string) => string) => (text === '' ? '' : colour(text));
  return `${paint('█'.repeat(filled), style.cyan)}${paint('░'.repeat(width - filled), style.dim)}`;
}

function fitName(name: string, width: number): string {
  return name.length <= width ? name.padEnd(width) : `${name.slice(0, width - 1)}…`;
}

/** Cuts a line to `width` visible characters, passing colour codes through and resetting them if cut. */
export function truncateVisible(line: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    if (line.startsWith(ESC, i)) {
      const end = line.indexOf('m', i);
      if (end === -1) break;
      out += line.slice(i, end + 1);
      i = end;
      continue;
    }
    if (visible === width) return out.includes(ESC) ? `${out}${ESC}0m` : out;
    out += line[i];
    visible += 1;
  }
  return out;
}
