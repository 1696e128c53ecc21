// `ferry doctor`: is everything in place for ferry? One line per check (ok, warn or fail) with what
// was found, and under a problem the statements that fix it. Exit 0 when no check fails (warnings
// allowed), 1 otherwise. `--json` for scripts.

import { doctorProject } from '../../doctor/doctor.js';
import type { CheckResult, CheckStatus } from '../../doctor/types.js';
import type { Style } from '../../report/style.js';
import type { CliContext } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';

export interface DoctorCommandOptions {
  readonly select?: string[];
  readonly exclude?: string[];
  readonly workers?: number;
}

export async function doctorCommand(
  context: CliContext,
  options: DoctorCommandOptions,
): Promise<ExitCodeValue> {
  const result = await doctorProject({
    projectDir: context.projectDir,
    specsDir: context.specsDir,
    env: context.env,
    ...(options.select ? { select: options.select } : {}),
    ...(options.exclude ? { exclude: options.exclude } : {}),
    ...(options.workers === undefined ? {} : { workers: options.workers }),
  });
  const exitCode = result.ok ? ExitCode.ok : ExitCode.error;
  if (context.json) {
    context.out(JSON.stringify(result, null, 2));
    return exitCode;
  }
  const width = Math.max(...result.checks.map((c) => c.title.length));
  for (const check of result.checks) context.out(checkLines(check, width, context.style).join('\n'));
  context.out('');
  context.out(summary(result.checks, context.style));
  return exitCode;
}

const LABEL: Record<CheckStatus, keyof Pick<Style, 'green' | 'yellow' | 'red'>> = {
  ok: 'green',
  warn: 'yellow',
  fail: 'red',
};

/** `ok    title   detail`, and the fix indented below it. */
function checkLines(check: CheckResult, width: number, style: Style): string[] {
  const label = style[LABEL[check.status]](check.status.padEnd(4));
  return [
    `${label}  ${check.title.padEnd(width)}  ${check.detail}`,
    ...(check.fix ?? []).map((line) => `      ${line}`),
  ];
}

function summary(checks: readonly CheckResult[], style: Style): string {
  const failed = checks.filter((c) => c.status === 'fail').length;
  const warned = checks.filter((c) => c.status === 'warn').length;
  const warnings = warned === 0 ? '' : `, ${warned} warning${warned === 1 ? '' : 's'}`;
  if (failed > 0) {
    return style.red(
      `${failed} of ${checks.length} checks failed${warnings}: run the statements under them as a role that may grant them, then ferry doctor again`,
    );
  }
  const line = `✓ no check failed (${checks.length} checks${warnings})`;
  return warned > 0 ? style.yellow(line) : style.green(line);
}
