// What every command that plans the project passes to the library: where the project is, the
// environment its specs read, and its agents, built from the project file once it is loaded.

import { buildAgents } from '../agents/registry.js';
import type { PlanProjectOptions } from '../compiler/plan-project.js';
import type { Selection } from '../compiler/select.js';
import type { CliContext } from './context.js';

export function projectOptions(
  context: CliContext,
): Pick<PlanProjectOptions, 'projectDir' | 'specsDir' | 'env' | 'agents'> {
  return {
    projectDir: context.projectDir,
    specsDir: context.specsDir,
    env: context.env,
    agents: (project) => buildAgents(project, { cwd: context.projectDir }),
  };
}

/** `--select`/`--exclude` as given, absent keys left out. */
export function selectionOptions(options: {
  readonly select?: readonly string[] | undefined;
  readonly exclude?: readonly string[] | undefined;
}): Selection {
  return {
    ...(options.select ? { select: options.select } : {}),
    ...(options.exclude ? { exclude: options.exclude } : {}),
  };
}
