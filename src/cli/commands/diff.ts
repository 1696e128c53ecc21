// `ferry diff`: what is planned against what the target holds, like `terraform plan
// -detailed-exitcode`. Exit 0 when they agree, 2 when they differ, 1 when the comparison fails.

import { resolve } from 'node:path';
import { diffProject } from '../../diff/diff-project.js';
import { workflowAnnotation } from '../../report/diagnostics.js';
import {
  type DiffFormat,
  differenceAnnotation,
  renderDiffJson,
  renderDiffMarkdown,
  renderDiffText,
} from '../../report/diff-report.js';
import type { CliContext } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { appendStepSummary, writeOutputs } from '../github.js';
import { readBaseLockOption } from '../plan-report-input.js';

export interface DiffCommandOptions {
  readonly format: DiffFormat;
  /** A plan saved by `ferry plan --format json`, relative to the working directory. */
  readonly plan?: string;
  readonly select?: string[];
  readonly exclude?: string[];
  /** The base branch's ferry.lock, for `state:modified`. */
  readonly baseLock?: string;
}

export async function diffCommand(context: CliContext, options: DiffCommandOptions): Promise<ExitCodeValue> {
  const baseLock = await readBaseLockOption(options.baseLock);
  const result = await diffProject({
    projectDir: context.projectDir,
    specsDir: context.specsDir,
    env: context.env,
    ...(options.plan === undefined ? {} : { planFile: resolve(options.plan) }),
    ...(options.select ? { select: options.select } : {}),
    ...(options.exclude ? { exclude: options.exclude } : {}),
    ...(baseLock ? { baseLock } : {}),
  });
  // On stderr: stdout is often redirected into a pull-request comment or a JSON file.
  if (context.github) {
    for (const d of result.differences)
      context.err(
        workflowAnnotation('warning', differenceAnnotation(d), {
          title: `ferry diff ${d.kind}`,
          location: d.location,
          workspace: context.env.GITHUB_WORKSPACE,
        }),
      );
  }
  if (context.github) {
    appendStepSummary(context, renderDiffMarkdown(result));
    writeOutputs(context, { differences: result.summary.differences });
  }
  const format = context.json ? 'json' : options.format;
  if (format === 'json') context.out(renderDiffJson(result));
  else if (format === 'markdown') context.out(renderDiffMarkdown(result));
  else context.out(renderDiffText(result, context.style));
  return result.differences.length > 0 ? ExitCode.changes : ExitCode.ok;
}
