// `ferry apply [FILE]`: the committed plan (or a plan saved by `plan --out`, refused once anything it
// was made against moved) executed batch by batch. Exit 0 when every migration is done, 3 when one
// paused on a violation (fix the cause, run apply again to resume), 1 on errors.

import { resolve } from 'node:path';
import { renderRunMarkdown, summarizeRun } from '../../report/run-summary.js';
import { type ApplyResult, applyProject } from '../../runner/apply.js';
import type { RunnerEvent } from '../../runner/events.js';
import type { CliContext } from '../context.js';
import { createEventView } from '../event-view.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { appendStepSummary, writeOutputs } from '../github.js';
import { projectOptions } from '../project-options.js';

export interface ApplyCommandOptions {
  readonly dryRun?: boolean;
  readonly limit?: number;
  readonly bulk?: boolean;
  readonly workers?: number;
  readonly failFast?: boolean;
  /** A plan saved by `ferry plan --out`, relative to the working directory. */
  readonly planFile?: string;
}

export async function applyCommand(
  context: CliContext,
  options: ApplyCommandOptions = {},
): Promise<ExitCodeValue> {
  const view = createEventView(context);
  // Under GitHub Actions the events are kept too, for the job summary.
  const events: RunnerEvent[] = [];
  const onEvent = context.github
    ? (event: RunnerEvent) => {
        events.push(event);
        view.onEvent(event);
      }
    : view.onEvent;
  // Stopped before anything else is printed, a failure included: the bars' last frame stays above it.
  const result = await applyProject({
    ...runOptions(options),
    ...projectOptions(context),
    onEvent,
  }).finally(view.stop);
  const done = [...result.outcomes.values()].filter((o) => o.status === 'done').length;
  if (!context.json && result.dryRun) {
    const summary = `dry run: ${done} of ${result.plan.migrations.length} migrations would finish; the target is unchanged`;
    context.out(
      result.paused
        ? context.style.red(`${summary}; fix what would pause before applying`)
        : context.style.green(`✓ ${summary}`),
    );
  } else if (!context.json) {
    const summary = `${done} of ${result.plan.migrations.length} migrations done`;
    context.out(
      result.paused
        ? context.style.red(`${summary}; ${resumeAdvice(options.planFile)}`)
        : context.style.green(`✓ ${summary}`),
    );
  }
  if (context.github) publishRun(context, result, events);
  return result.paused ? ExitCode.paused : ExitCode.ok;
}

/** The run as a table in the job summary, and `paused`, `done` and `dry-run` as step outputs. */
function publishRun(context: CliContext, result: ApplyResult, events: readonly RunnerEvent[]): void {
  const order = result.plan.migrations.map((m) => m.name);
  appendStepSummary(context, renderRunMarkdown(summarizeRun(events), { dryRun: result.dryRun, order }));
  writeOutputs(context, {
    'dry-run': result.dryRun,
    paused: result.paused,
    done: [...result.outcomes.values()].filter((o) => o.status === 'done').length,
    migrations: order.length,
  });
}

function runOptions(options: ApplyCommandOptions) {
  return {
    dryRun: options.dryRun === true,
    bulk: options.bulk === true,
    failFast: options.failFast === true,
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    ...(options.workers === undefined ? {} : { workers: options.workers }),
    ...(options.planFile === undefined ? {} : { savedPlan: resolve(options.planFile) }),
  };
}

/** A saved plan is stale once a batch moved: resuming takes a new plan, reviewed again. */
function resumeAdvice(planFile: string | undefined): string {
  if (planFile === undefined) return 'run `ferry apply` again once the cause is fixed';
  return `once the cause is fixed, save a new plan (\`ferry plan --out ${planFile}\`), review it and apply it`;
}
