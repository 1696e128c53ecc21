// Asks each agent, in the project's order, and checks every answer before anything of it is used:
// a proposal that names a column that does not exist never reaches the plan.

import type { Catalogs } from '../compiler/catalog-checks.js';
import type { MigrationNode } from '../compiler/plan.js';
import type { AgentOutcome } from '../compiler/resolve.js';
import { FerryError } from '../errors.js';
import { checkProposalExpressions, checkProposals } from './external-checks.js';
import type { Agent, AgentAnswer, AgentRequest } from './protocol.js';
import { buildAgentRequest } from './request.js';

export interface AgentRun {
  readonly migrations: readonly MigrationNode[];
  readonly catalogs: Catalogs;
  readonly minConfidence: number;
}

/** Runs the agents that propose (every role but guidance) and returns their checked proposals. */
export async function runProposingAgents(agents: readonly Agent[], run: AgentRun): Promise<AgentOutcome[]> {
  if (run.migrations.length === 0) return [];
  const outcomes: AgentOutcome[] = [];
  for (const agent of agents.filter((a) => a.role !== 'guidance')) {
    const request = buildAgentRequest(agent.role, run.migrations, run.catalogs, run.minConfidence);
    const answer = await askChecked(agent, request);
    outcomes.push({ agent: agent.name, proposals: answer.proposals });
  }
  return outcomes;
}

/** Asks one agent and refuses the whole answer when any proposal fails the checks. */
export async function askChecked(agent: Agent, request: AgentRequest): Promise<AgentAnswer> {
  const answer = await agent.run(request);
  const problems = [
    ...checkProposals(agent.name, agent.role, request, answer),
    ...(await checkProposalExpressions(agent.name, agent.role, answer)),
  ];
  if (problems.length > 0) throw new FerryError(problems);
  return answer;
}
