// The built-in schema agent: one classification per migration (catalog or transactional; junction,
// self-referencing or plain), each with a reason a reviewer can check against the catalogs.

import type { Agent, AgentMigration, AgentRequest, ClassificationProposal } from '../protocol.js';
import { classifyMigration } from './classify.js';
import { detectShape } from './shape.js';

/**
 * Classifies the table of one migration. Pure: the same request always gives the same proposal.
 *
 * @example
 * classifyTable(request, request.migrations[0]);
 * // { kind: 'classification', migration: 'case_file_tags', class: 'transactional', shape: 'junction',
 * //   confidence: 0.95, reason: "1,998 rows, not referenced by another table's foreign key; primary key
 * //   (case_file_id, tag_id) is two foreign keys" }
 */
export function classifyTable(request: AgentRequest, migration: AgentMigration): ClassificationProposal {
  const verdict = classifyMigration(request, migration);
  const shape = detectShape(request, migration);
  return {
    kind: 'classification',
    migration: migration.name,
    class: verdict.class,
    shape: shape.shape,
    confidence: Math.min(verdict.confidence, shape.confidence),
    reason: shape.reason === undefined ? verdict.reason : `${verdict.reason}; ${shape.reason}`,
  };
}

/** The built-in `schema` agent: one classification per migration of the request, in request order. */
export const schemaAgent: Agent = {
  name: 'schema',
  role: 'schema',
  run: async (request) => ({ proposals: request.migrations.map((m) => classifyTable(request, m)) }),
};
