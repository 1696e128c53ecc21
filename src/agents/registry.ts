// The agents a project asks, in the order its project file lists them: built-ins by name, external
// commands once per role they declare. External agents never see the variables the connection URLs
// come from.

import type { ProjectSpec } from '../spec/types.js';
import { guidanceAgent } from './builtin/guidance.js';
import { mappingAgent } from './builtin/mapping/index.js';
import { planningAgent } from './builtin/planning.js';
import { schemaAgent } from './builtin/schema.js';
import { createExternalAgent } from './external.js';
import type { Agent, AgentRole } from './protocol.js';

const BUILTIN: Readonly<Record<AgentRole, Agent | undefined>> = {
  schema: schemaAgent,
  mapping: mappingAgent,
  planning: planningAgent,
  guidance: guidanceAgent,
  // The validation agent's checks run in `verify`; it has nothing to propose at plan time.
  validation: undefined,
};

export interface AgentOptions {
  /** Where external commands run: the project directory. */
  readonly cwd: string;
}

export function buildAgents(project: ProjectSpec, options: AgentOptions): Agent[] {
  return project.agents.flatMap((spec) => {
    if ('builtin' in spec) {
      const agent = BUILTIN[spec.builtin];
      return agent ? [agent] : [];
    }
    return spec.external.roles.map((role) =>
      createExternalAgent(spec.external, role, { cwd: options.cwd, hiddenEnv: project.connectionVariables }),
    );
  });
}
