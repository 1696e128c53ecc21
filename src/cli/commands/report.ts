// `ferry report`: the pull-request report from files a workflow keeps: the plan `ferry --json plan`
// saved, the events of `ferry apply --dry-run --json`, and the base branch's ferry.lock. A plan that
// failed becomes a report of what to fix. Exit 0 when the report is written, 1 when it cannot be.

import { writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import type { Plan } from '../../compiler/plan.js';
import { compareWithBase } from '../../compiler/state-modified.js';
import { type AppliedStatuses, readAppliedStatuses } from '../../diff/applied-state.js';
import { readPlanOutput } from '../../diff/plan-file.js';
import { type PlanReportInput, renderPlanFailure, renderPlanReport } from '../../report/plan-comment.js';
import { readRunEvents } from '../../report/run-events-file.js';
import { loadSpecs } from '../../spec/load.js';
import type { CliContext } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { writeOutputs } from '../github.js';
import {
  maxBytesOption,
  planOutputs,
  type ReportOptions,
  readBaseLockOption,
  reportOptionsInput,
} from '../plan-report-input.js';

export interface ReportCommandOptions extends ReportOptions {
  /** What `ferry --json plan` printed, saved to a file. */
  readonly plan: string;
  /** What `ferry apply --dry-run --json` printed, saved to a file. */
  readonly dryRun?: string;
  /** Where to write the (bounded) report instead of standard output. */
  readonly out?: string;
  /** Where to write the whole report, with nothing left out. */
  readonly fullOut?: string;
}

export async function reportCommand(
  context: CliContext,
  options: ReportCommandOptions,
): Promise<ExitCodeValue> {
  const named = (path: string) => relative(process.cwd(), resolve(path)) || path;
  const baseLock = await readBaseLockOption(options.baseLock);
  const saved = await readPlanOutput(resolve(options.plan), named(options.plan));
  const maxBytes = maxBytesOption(options);
  if ('failed' in saved) {
    const markdown = renderPlanFailure(saved.failed, reportOptionsInput(options));
    await emit(context, options, { markdown, full: markdown, shortened: false });
    return ExitCode.ok;
  }
  const dryRun = options.dryRun
    ? await readRunEvents(resolve(options.dryRun), named(options.dryRun))
    : undefined;
  const changes = baseLock ? compareWithBase(saved.plan, baseLock) : undefined;
  const input: PlanReportInput = {
    plan: saved.plan,
    ...(saved.lock ? { lockSummary: lockSummaryOf(saved.lock) } : {}),
    applied: await targetStatuses(context, saved.plan),
    ...(changes ? { changes } : {}),
    ...(dryRun ? { dryRun } : {}),
    ...reportOptionsInput(options),
  };
  const report = renderPlanReport(input, maxBytes === undefined ? {} : { maxBytes });
  const full = options.fullOut
    ? renderPlanReport(input, { maxBytes: Number.POSITIVE_INFINITY }).markdown
    : '';
  await emit(context, options, { markdown: report.markdown, full, shortened: report.shortened });
  if (context.github) writeOutputs(context, planOutputs(saved.plan, changes));
  return ExitCode.ok;
}

async function emit(
  context: CliContext,
  options: ReportCommandOptions,
  report: { readonly markdown: string; readonly full: string; readonly shortened: boolean },
): Promise<void> {
  if (options.out) await writeFile(options.out, report.markdown);
  else context.out(report.markdown);
  if (options.fullOut) await writeFile(options.fullOut, report.full);
  writeOutputs(context, {
    ...(options.out ? { 'report-path': resolve(options.out) } : {}),
    'report-shortened': report.shortened,
  });
}

/** The status column: read from the target the specs name, when this environment can reach it. */
async function targetStatuses(context: CliContext, plan: Plan): Promise<AppliedStatuses> {
  const loaded = await loadSpecs(context.specsDir, { env: context.env, requireEnv: false });
  const url = loaded.specs?.project.target.url;
  if (!loaded.specs) return { known: false, reason: 'the specs could not be read to find the target' };
  if (!url) return { known: false, reason: 'the target’s connection variable is not set here' };
  return readAppliedStatuses(url, plan.migrations);
}

function lockSummaryOf(lock: {
  readonly path: string;
  readonly written: boolean;
  readonly changes: readonly string[];
}): string {
  if (!lock.written) return `${lock.path} is up to date`;
  const changes = lock.changes.length
    ? ` (${lock.changes.slice(0, 3).join('; ')}${lock.changes.length > 3 ? '; …' : ''})`
    : '';
  return `${lock.path} written${changes}: review its diff and commit it`;
}
