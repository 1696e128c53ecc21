// External agents: a command from the project file behind the Agent interface. It is run once per
// request (external-process.ts), its stdout is parsed as one AgentAnswer (external-answer.ts), and the
// proposals are checked against the request (external-checks.ts) before anyone sees them.

import { FerryError } from '../errors.js';
import type { ExternalAgentSpec } from '../spec/types.js';
import { parseAgentAnswer } from './external-answer.js';
import { checkProposalExpressions, checkProposals, describeAgent } from './external-checks.js';
import { runAgentCommand } from './external-process.js';
import type { Agent, AgentAnswer, AgentRequest, AgentRole } from './protocol.js';

export { checkProposals, describeAgent } from './external-checks.js';

/** The most an agent may write on stdout by default; an answer holds proposals, not data. */
export const DEFAULT_MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

export interface ExternalAgentOptions {
  /** The directory the command runs in and relative paths resolve from. Default: process.cwd(). */
  readonly cwd?: string;
  /**
   * Environment variables the agent must not see: ferry passes the ones its connection URLs come
   * from, so an agent never holds database credentials.
   */
  readonly hiddenEnv?: readonly string[];
  /** The stdout limit in bytes. Default: DEFAULT_MAX_OUTPUT_BYTES (8 MiB). */
  readonly maxOutputBytes?: number;
}

/**
 * Wraps an external agent's command as an Agent for one role. Each `run` starts the command without
 * a shell, writes the request as JSON on its stdin, and resolves to its validated, checked answer;
 * every failure is a FerryError (`agent.crashed`, `agent.timeout`, `agent.output-too-large`,
 * `agent.invalid-answer`, `agent.unknown-name`) whose message names the agent and the role.
 *
 * @example
 * const agent = createExternalAgent(
 *   { name: 'synonyms', command: ['node', 'examples/agents/synonyms-agent.mjs'], roles: ['mapping'], timeoutSeconds: 60 },
 *   'mapping',
 *   { hiddenEnv: ['FERRY_SOURCE_URL', 'FERRY_TARGET_URL'] },
 * );
 * const { proposals } = await agent.run(request);
 */
export function createExternalAgent(
  spec: ExternalAgentSpec,
  role: AgentRole,
  options: ExternalAgentOptions = {},
): Agent {
  const agent = describeAgent(spec.name, role);
  return {
    name: spec.name,
    role,
    async run(request: AgentRequest): Promise<AgentAnswer> {
      const stdout = await runAgentCommand({
        agent,
        command: spec.command,
        input: JSON.stringify(request),
        cwd: options.cwd ?? process.cwd(),
        env: agentEnvironment(process.env, options.hiddenEnv ?? []),
        timeoutSeconds: spec.timeoutSeconds,
        maxOutputBytes: options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
      });
      const answer = parseAgentAnswer(agent, stdout);
      const problems = [
        ...checkProposals(spec.name, role, request, answer),
        ...(await checkProposalExpressions(spec.name, role, answer)),
      ];
      if (problems.length > 0) throw new FerryError(problems);
      return answer;
    },
  };
}

/** Ferry's environment without the hidden variables (by name; case-insensitively on Windows, as there). */
export function agentEnvironment(
  environment: NodeJS.ProcessEnv,
  hidden: readonly string[],
): Record<string, string> {
  const fold = (name: string) => (process.platform === 'win32' ? name.toUpperCase() : name);
  const hiddenNames = new Set(hidden.map(fold));
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    if (value !== undefined && !hiddenNames.has(fold(name))) result[name] = value;
  }
  return result;
}
