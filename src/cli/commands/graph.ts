// `ferry graph`: the migrations' dependency graph with its layers, as text, Mermaid, DOT or JSON.

import { join } from 'node:path';
import { loadPlan } from '../../compiler/load-plan.js';
import { restrictPlan, selectMigrations } from '../../compiler/select.js';
import { compareWithBase } from '../../compiler/state-modified.js';
import { readLockfile } from '../../lock/lock-io.js';
import { LOCK_FILE_NAME } from '../../lock/lockfile.js';
import { type GraphFormat, graphMermaid, renderGraph } from '../../report/graph.js';
import type { CliContext } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { readBaseLockOption } from '../plan-report-input.js';

export interface GraphOptions {
  readonly format: GraphFormat;
  readonly select?: string[];
  readonly exclude?: string[];
  /** The base branch's ferry.lock: for `state:modified`, and Mermaid marks what changed. */
  readonly baseLock?: string;
}

export async function graphCommand(context: CliContext, options: GraphOptions): Promise<ExitCodeValue> {
  const baseLock = await readBaseLockOption(options.baseLock);
  // The graph needs no connection, so unset connection variables are fine here.
  const { plan } = await loadPlan(context.specsDir, { env: context.env, requireEnv: false });
  // Compiled without the databases, the plan holds no resolved mapping: the committed lock has it.
  const currentLock = baseLock
    ? await readLockfile(join(context.projectDir, LOCK_FILE_NAME), LOCK_FILE_NAME)
    : undefined;
  const state = { ...(baseLock ? { baseLock } : {}), ...(currentLock ? { currentLock } : {}) };
  const names = selectMigrations(plan, {
    ...(options.select ? { select: options.select } : {}),
    ...(options.exclude ? { exclude: options.exclude } : {}),
    ...state,
  });
  const selected = restrictPlan(plan, names);
  const format = context.json ? 'json' : options.format;
  if (format === 'mermaid' && baseLock) {
    const changes = compareWithBase(plan, baseLock, currentLock ? { currentLock } : {});
    context.out(
      graphMermaid(selected, {
        changed: changes.changed.map((c) => c.migration),
        affected: changes.affected,
      }),
    );
  } else {
    context.out(renderGraph(selected, format, context.style));
  }
  return ExitCode.ok;
}
