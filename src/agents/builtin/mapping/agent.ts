// The built-in mapping agent: for every column a spec leaves open, where its value comes from, with a
// confidence and a reason; a decision whenever the evidence is not clear enough to apply unreviewed.

import type { Agent, AgentAnswer, AgentRequest, Proposal } from '../../protocol.js';
import { displayTable } from './catalog-view.js';
import { indexRequest, migrationContext } from './context.js';
import { mapMigration } from './map-migration.js';

/**
 * Proposes the mapping of every open column of every migration in the request. Deterministic: the
 * same request always gives the same answer, in migration and column order.
 *
 * @example
 * const { proposals } = await mappingAgent.run(request);
 * for (const p of proposals) if (p.kind === 'column') console.log(p.column, p.from ?? p.expr, p.reason);
 */
export function proposeMappings(request: AgentRequest): Proposal[] {
  const index = indexRequest(request);
  return request.migrations.flatMap((migration): Proposal[] => {
    if (migration.openColumns.length === 0) return [];
    const context = migrationContext(index, migration);
    if (context) return mapMigration(context);
    const message = `${displayTable(migration.from)} or ${displayTable(migration.to)} is not in the catalog, so its open columns cannot be mapped.`;
    return [{ kind: 'warning', migration: migration.name, message }];
  });
}

/** The built-in agent with the mapping role (`agents: [mapping]` in ferry.yaml). */
export const mappingAgent: Agent = {
  name: 'mapping',
  role: 'mapping',
  run: async (request: AgentRequest): Promise<AgentAnswer> => ({ proposals: proposeMappings(request) }),
};
