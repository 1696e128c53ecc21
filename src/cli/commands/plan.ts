// `ferry plan`: the specs resolved against both databases, with every inferred decision shown and
// pinned in ferry.lock; with --out also saved for `ferry apply FILE`. Exit 0 when nothing is pending,
// 2 when decisions are, 1 on errors.

import { relative, resolve } from 'node:path';
import { planProject } from '../../compiler/plan-project.js';
import { compareWithBase } from '../../compiler/state-modified.js';
import { readAppliedStatuses } from '../../diff/applied-state.js';
import { readBasis } from '../../plan-file/read-basis.js';
import { displayName, writeSavedPlan } from '../../plan-file/saved-plan-file.js';
import { type PlanReportInput, renderPlanReport } from '../../report/plan-comment.js';
import { renderPlanText } from '../../report/plan-report.js';
import type { CliContext } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import {
  maxBytesOption,
  publishPlan,
  type ReportOptions,
  readBaseLockOption,
  reportOptionsInput,
} from '../plan-report-input.js';
import { projectOptions } from '../project-options.js';
import { printDiagnostics } from '../report-failure.js';

export type PlanFormat = 'text' | 'json' | 'markdown';

export interface PlanOptions extends ReportOptions {
  readonly format: PlanFormat;
  readonly frozenLock?: boolean;
  readonly updateLock?: boolean;
  /** Also save the plan with its basis here (relative to the working directory), for `apply FILE`. */
  readonly out?: string;
}

export async function planCommand(context: CliContext, options: PlanOptions): Promise<ExitCodeValue> {
  const baseLock = await readBaseLockOption(options.baseLock);
  const result = await planProject({
    ...projectOptions(context),
    ...(options.frozenLock ? { frozenLock: true } : {}),
    ...(options.updateLock ? { updateLock: true } : {}),
  });
  printDiagnostics(context, result.diagnostics);
  const lockName = relative(process.cwd(), result.lockPath) || 'ferry.lock';
  const changes = [
    ...(result.timeZoneChange ? [result.timeZoneChange.message] : []),
    ...result.lockChanges.map((c) => c.message),
  ];
  const lockSummary = result.lockWritten
    ? `${lockName} written${describeChanges(changes)}: review its diff and commit it`
    : `${lockName} is up to date`;
  const format = context.json ? 'json' : options.format;
  const againstBase = baseLock ? compareWithBase(result.plan, baseLock) : undefined;
  // The Markdown report, and the job summary under Actions, say what the target holds.
  const report: PlanReportInput | undefined =
    format === 'markdown' || context.github
      ? {
          plan: result.plan,
          lockSummary,
          applied: await readAppliedStatuses(result.specs.project.target.url, result.plan.migrations),
          ...(againstBase ? { changes: againstBase } : {}),
          ...reportOptionsInput(options),
        }
      : undefined;
  // What `--json` prints; a saved plan is this with its basis, so whatever reads one reads the other.
  const output = {
    ok: true,
    decisionsPending: result.plan.decisions.length,
    lock: {
      path: lockName,
      written: result.lockWritten,
      changes,
    },
    diagnostics: result.diagnostics,
    ...(againstBase ? { base: againstBase } : {}),
    plan: result.plan,
  };
  if (options.out !== undefined) {
    const files = { specsDir: context.specsDir, lockPath: result.lockPath };
    const basis = await readBasis(result.plan, files, result.specs.project.target.url);
    await writeSavedPlan(resolve(options.out), output, basis);
  }
  if (report) publishPlan(context, report);
  if (format === 'json') {
    context.out(JSON.stringify(output, null, 2));
  } else if (format === 'markdown' && report) {
    const maxBytes = maxBytesOption(options);
    context.out(renderPlanReport(report, maxBytes === undefined ? {} : { maxBytes }).markdown);
  } else {
    context.out(renderPlanText(result.plan, { lockSummary }, context.style));
    if (options.out !== undefined) context.out(savedPlanLine(options.out));
  }
  return result.plan.decisions.length > 0 ? ExitCode.changes : ExitCode.ok;
}

function describeChanges(messages: readonly string[]): string {
  if (messages.length === 0) return '';
  if (messages.length <= 3) return ` (${messages.join('; ')})`;
  return ` (${messages.length} changes, first: ${messages[0]})`;
}

function savedPlanLine(out: string): string {
  const name = displayName(resolve(out));
  return `plan saved to ${name}: \`ferry apply ${name}\` applies it while the specs, ferry.lock, the tables and the target's state stay as they are now`;
}
