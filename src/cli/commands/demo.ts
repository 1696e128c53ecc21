// `ferry demo`: the reference workload's specs (legacy dispatch_* tables → schema app) taken through
// the steps ferry has, each explained in one line.

import { fileURLToPath } from 'node:url';
import { loadPlan } from '../../compiler/load-plan.js';
import { renderGraph } from '../../report/graph.js';
import type { CliContext } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';

/** The specs shipped with ferry for the reference workload. */
export const REFERENCE_SPECS_DIR = fileURLToPath(new URL('../../../specs', import.meta.url));

export async function demoCommand(context: CliContext): Promise<ExitCodeValue> {
  const { style } = context;
  context.out(style.bold('ferry demo: a legacy dispatch_* schema moved into a new schema `app`'));
  context.out('');
  context.out(
    `${style.cyan('1. validate')}  every spec is checked: format, names, references, SQL expressions`,
  );
  const { plan } = await loadPlan(REFERENCE_SPECS_DIR, { env: context.env, requireEnv: false });
  context.out(`   ${style.green('✓')} ${plan.migrations.length} migrations are valid`);
  context.out('');
  context.out(
    `${style.cyan('2. graph')}     parents load before the tables that reference them; one layer runs in parallel`,
  );
  context.out(
    renderGraph(plan, 'text', style)
      .trimEnd()
      .split('\n')
      .map((line) => `   ${line}`)
      .join('\n'),
  );
  context.out('');
  context.out(
    `${style.cyan('next')}         loading the data into an embedded PostgreSQL comes with \`ferry apply\`.`,
  );
  context.out('             Try: npx ferry graph --format mermaid, or npx ferry validate examples/hr/specs');
  return ExitCode.ok;
}
