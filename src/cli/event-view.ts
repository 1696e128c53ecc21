// Where `ferry apply` shows the runner's events: NDJSON with --json, live bars on a terminal, and
// otherwise a plain line per event (CI logs, pipes, files).

import type { RunnerEvent } from '../runner/events.js';
import type { CliContext } from './context.js';
import { describeEvent } from './event-lines.js';
import { ProgressView, type ProgressViewOptions } from './progress.js';

export interface EventView {
  readonly onEvent: (event: RunnerEvent) => void;
  /** Call once the run has ended, before printing anything else: a terminal view draws its last frame. */
  readonly stop: () => void;
}

/** The view the context asks for; `clock` only lets tests replace the terminal view's time. */
export function createEventView(
  context: Pick<CliContext, 'json' | 'out' | 'style' | 'stdout'>,
  clock: Omit<ProgressViewOptions, 'style'> = {},
): EventView {
  if (context.json) return { onEvent: (event) => context.out(JSON.stringify(event)), stop: () => {} };
  if (context.stdout.isTTY !== true)
    return { onEvent: (event) => context.out(describeEvent(event, context.style)), stop: () => {} };
  const view = new ProgressView(context.stdout, { ...clock, style: context.style });
  return { onEvent: (event) => view.onEvent(event), stop: () => view.stop() };
}
