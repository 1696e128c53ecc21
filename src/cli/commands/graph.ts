// `ferry graph`: the migrations' dependency graph with its layers, as text, Mermaid, DOT or JSON.

import { loadPlan } from '../../compiler/load-plan.js';
import { restrictPlan, selectMigrations } from '../../compiler/select.js';
import { type GraphFormat, renderGraph } from '../../report/graph.js';
import type { CliContext } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';

export interface GraphOptions {
  readonly format: GraphFormat;
  readonly select?: string[];
  readonly exclude?: string[];
}

export async function graphCommand(context: CliContext, options: GraphOptions): Promise<ExitCodeValue> {
  // The graph needs no connection, so unset connection variables are fine here.
  const { plan } = await loadPlan(context.specsDir, { env: context.env, requireEnv: false });
  const names = selectMigrations(plan, {
    ...(options.select ? { select: options.select } : {}),
    ...(options.exclude ? { exclude: options.exclude } : {}),
  });
  const format = context.json ? 'json' : options.format;
  context.out(renderGraph(restrictPlan(plan, names), format, context.style));
  return ExitCode.ok;
}
