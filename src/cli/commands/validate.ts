// `ferry validate [DIR]`: every spec checked (format, names, references, expressions, the graph)
// without touching a database. Exit 0 when valid, 1 with every problem listed.

import { loadPlan } from '../../compiler/load-plan.js';
import type { CliContext } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { printDiagnostics } from '../report-failure.js';

export interface ValidateOptions {
  /** Allow unset `${env:…}` variables: review specs without the connection secrets. */
  readonly offline?: boolean;
}

export async function validateCommand(context: CliContext, options: ValidateOptions): Promise<ExitCodeValue> {
  const { plan, diagnostics } = await loadPlan(context.specsDir, {
    env: context.env,
    requireEnv: options.offline !== true,
  });
  printDiagnostics(context, diagnostics);
  const count = plan.migrations.length;
  if (context.json) {
    context.out(
      JSON.stringify({ ok: true, migrations: count, layers: plan.layers.length, diagnostics }, null, 2),
    );
  } else {
    const summary = `${count} migration${count === 1 ? '' : 's'} in ${plan.layers.length} layer${plan.layers.length === 1 ? '' : 's'}`;
    context.out(`${context.style.green('✓')} specs are valid: ${summary}`);
  }
  return ExitCode.ok;
}
