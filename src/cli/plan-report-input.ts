// What `plan` and `report` share for the pull-request report: the --base-lock file, and what goes to
// the workflow under GitHub Actions (the report in the job summary, counts as step outputs).

import { relative, resolve } from 'node:path';
import { readBaseLock } from '../compiler/base-lock.js';
import type { Plan } from '../compiler/plan.js';
import type { BaseLock, StateComparison } from '../compiler/state-modified.js';
import { modifiedNames } from '../compiler/state-modified.js';
import { type PlanReportInput, renderPlanReport, SUMMARY_MAX_BYTES } from '../report/plan-comment.js';
import type { CliContext } from './context.js';
import { appendStepSummary, writeOutputs } from './github.js';

/** Options of the report that both commands take. */
export interface ReportOptions {
  /** The base branch's ferry.lock, relative to the working directory. */
  readonly baseLock?: string;
  readonly artifactUrl?: string;
  /** 0: no limit. */
  readonly maxBytes?: number;
  readonly commentKey?: string;
}

/** The --base-lock file read, or nothing without the option. Read before any database is asked. */
export async function readBaseLockOption(path: string | undefined): Promise<BaseLock | undefined> {
  if (path === undefined) return undefined;
  const absolute = resolve(path);
  return readBaseLock(absolute, relative(process.cwd(), absolute) || path);
}

/** The parts of the report input that come from options. */
export function reportOptionsInput(options: ReportOptions): Pick<PlanReportInput, 'artifact' | 'commentKey'> {
  return {
    ...(options.artifactUrl ? { artifact: options.artifactUrl } : {}),
    ...(options.commentKey ? { commentKey: options.commentKey } : {}),
  };
}

export function maxBytesOption(options: ReportOptions): number | undefined {
  if (options.maxBytes === undefined) return undefined;
  return options.maxBytes === 0 ? Number.POSITIVE_INFINITY : options.maxBytes;
}

/** Under Actions: the report in the job summary, and `decisions-pending`, `changed`, … as outputs. */
export function publishPlan(context: CliContext, input: PlanReportInput): void {
  if (!context.github) return;
  appendStepSummary(context, renderPlanReport(input, { maxBytes: SUMMARY_MAX_BYTES }).markdown);
  writeOutputs(context, planOutputs(input.plan, input.changes));
}

/**
 * Step outputs of a plan. `changed` lists what `--select state:modified` selects (changed and
 * downstream), one name per line; without a base lockfile it is empty.
 */
export function planOutputs(
  plan: Plan,
  changes: StateComparison | undefined,
): Record<string, string | number> {
  const selected = changes ? modifiedNames(changes) : new Set<string>();
  return {
    'decisions-pending': plan.decisions.length,
    migrations: plan.migrations.length,
    changed: plan.migrations
      .map((m) => m.name)
      .filter((name) => selected.has(name))
      .join('\n'),
    removed: (changes?.deleted ?? []).join('\n'),
  };
}
