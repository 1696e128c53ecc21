// The mapping agent's answer read the way its tests compare it: one line per proposal, decisions and
// warnings apart, and the YAML they offer as the data it pastes into a spec.

import { parse } from 'yaml';
import { proposeMappings } from '../../src/agents/builtin/mapping/index.js';
import type {
  AgentMigration,
  DecisionProposal,
  Proposal,
  WarningProposal,
} from '../../src/agents/protocol.js';
import type { Catalog } from '../../src/catalog/types.js';
import { agentRequest } from '../support/agent-request.js';

/** What the mapping agent proposes for migrations between two catalogs. */
export function propose(
  source: Catalog,
  target: Catalog,
  migrations: readonly AgentMigration[],
  minConfidence?: number,
): Proposal[] {
  return proposeMappings(agentRequest('mapping', source, target, migrations, minConfidence));
}

/** One line per proposal, easy to compare exactly: `column ← from (0.9)`, `decision column`, … */
export function summarize(proposals: readonly Proposal[]): string[] {
  return proposals.map((p) => {
    switch (p.kind) {
      case 'column': {
        const value = p.from ?? (p.expr === undefined ? 'omit' : `expr ${p.expr}`);
        return `${p.migration}.${p.column} ← ${value} (${p.confidence})`;
      }
      case 'decision':
        return `decision ${p.migration}.${p.column ?? ''}`;
      case 'warning':
        return `warning ${p.migration}.${p.column ?? ''}`;
      default:
        return `${p.kind} ${p.migration}`;
    }
  });
}

export function decisions(proposals: readonly Proposal[]): DecisionProposal[] {
  return proposals.filter((p): p is DecisionProposal => p.kind === 'decision');
}

export function warnings(proposals: readonly Proposal[]): WarningProposal[] {
  return proposals.filter((p): p is WarningProposal => p.kind === 'warning');
}

/** What pasting the YAML puts in the spec: compared as data, whatever quoting the YAML writer chose. */
export function pasted(yaml: string | undefined): unknown {
  return yaml === undefined ? undefined : parse(yaml);
}

/** A decision with each option's YAML read as data. */
export function readable(decision: DecisionProposal | undefined) {
  return { ...decision, options: decision?.options.map((o) => ({ label: o.label, yaml: pasted(o.yaml) })) };
}
