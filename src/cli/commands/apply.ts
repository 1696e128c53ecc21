// `ferry apply`: the committed plan executed batch by batch. Exit 0 when every migration is done,
// 3 when one paused on a violation (fix the cause, run apply again to resume), 1 on errors.

import { buildAgents } from '../../agents/registry.js';
import { groupDigits } from '../../report/plan-report.js';
import { applyProject } from '../../runner/apply.js';
import type { RunnerEvent } from '../../runner/events.js';
import type { CliContext } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';

export async function applyCommand(context: CliContext): Promise<ExitCodeValue> {
  const result = await applyProject({
    projectDir: context.projectDir,
    specsDir: context.specsDir,
    env: context.env,
    agents: (project) => buildAgents(project, { cwd: context.projectDir }),
    onEvent: (event) => context.out(context.json ? JSON.stringify(event) : describe(event, context)),
  });
  const done = [...result.outcomes.values()].filter((o) => o.status === 'done').length;
  if (!context.json) {
    const summary = `${done} of ${result.plan.migrations.length} migrations done`;
    context.out(
      result.paused
        ? context.style.red(`${summary}; run \`ferry apply\` again once the cause is fixed`)
        : context.style.green(`✓ ${summary}`),
    );
  }
  return result.paused ? ExitCode.paused : ExitCode.ok;
}

function describe(event: RunnerEvent, context: CliContext): string {
  switch (event.type) {
    case 'migration-started':
      return `${event.migration}: ${event.batches} batch${event.batches === 1 ? '' : 'es'}`;
    case 'batch-committed':
      return `${event.migration}: batch ${event.batchNo} committed (${groupDigits(event.rows)} rows)`;
    case 'migration-done':
      return `${context.style.green('✓')} ${event.migration}: ${groupDigits(event.rows)} rows`;
    case 'migration-skipped':
      return `${event.migration}: skipped, ${event.reason}`;
    case 'migration-paused': {
      const v = event.violation;
      const details = [v.constraint ? `constraint ${v.constraint}` : undefined, v.detail]
        .filter(Boolean)
        .join('; ');
      return context.style.red(
        `⏸ ${event.migration}: paused at batch ${event.batchNo}: ${v.message}${details ? ` (${details})` : ''} [SQLSTATE ${v.sqlstate}]`,
      );
    }
  }
}
