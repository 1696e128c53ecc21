// The agent protocol as JSON Schema, generated from the zod schemas in protocol.ts so the two cannot
// disagree. scripts/write-schemas.ts writes it to schemas/agent-protocol.schema.json for agent authors.

import { z } from 'zod';
import {
  AgentAnswer,
  AgentMigration,
  AgentRequest,
  BatchProposal,
  ClassificationProposal,
  ColumnProposal,
  DecisionProposal,
  Proposal,
  WarningProposal,
} from './protocol.js';

export const AGENT_PROTOCOL_SCHEMA_ID = 'https://ferry.dev/schemas/agent-protocol.schema.json';

type JsonSchema = Record<string, unknown>;

/**
 * The JSON Schema of the agent protocol: one document whose `$defs` hold the request (AgentRequest),
 * the answer (AgentAnswer) and the parts they share, referenced as `#/$defs/<name>`.
 *
 * @example
 * const schema = agentProtocolJsonSchema();
 * schema.$defs.AgentAnswer; // what an agent writes on stdout
 */
export function agentProtocolJsonSchema(): JsonSchema & { $defs: Record<string, JsonSchema> } {
  const registry = z.registry<{ id: string }>();
  // Registered parts become $defs of their own instead of being repeated wherever they are used.
  registry.add(AgentRequest, { id: 'AgentRequest' });
  registry.add(AgentAnswer, { id: 'AgentAnswer' });
  registry.add(AgentMigration, { id: 'AgentMigration' });
  // The source and target catalogs share their table schema; protocol.ts does not export it by name.
  registry.add(AgentRequest.shape.source.shape.tables.element, { id: 'CatalogTable' });
  registry.add(Proposal, { id: 'Proposal' });
  registry.add(ColumnProposal, { id: 'ColumnProposal' });
  registry.add(ClassificationProposal, { id: 'ClassificationProposal' });
  registry.add(BatchProposal, { id: 'BatchProposal' });
  registry.add(DecisionProposal, { id: 'DecisionProposal' });
  registry.add(WarningProposal, { id: 'WarningProposal' });
  // `input`: what the parser accepts. Objects stay open, as ferry ignores keys it does not know.
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'input',
    uri: (id) => `#/$defs/${id}`,
  });
  const $defs: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $id: _id, $schema: _schema, ...definition } = schema as JsonSchema;
    $defs[id] = definition;
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: AGENT_PROTOCOL_SCHEMA_ID,
    title: 'ferry agent protocol',
    description:
      'An external agent is a command that ferry runs without a shell: it reads one AgentRequest as JSON on stdin and writes one AgentAnswer as JSON on stdout. ' +
      'Ferry validates the answer, checks that every proposal is of a kind the role allows and names only migrations and columns of the request, and pins the proposals in ferry.lock.',
    anyOf: [{ $ref: '#/$defs/AgentRequest' }, { $ref: '#/$defs/AgentAnswer' }],
    $defs,
  };
}

/** The text of schemas/agent-protocol.schema.json: 2-space JSON and a final newline. */
export function agentProtocolJsonSchemaText(): string {
  return `${JSON.stringify(agentProtocolJsonSchema(), null, 2)}\n`;
}
