// Tells catalog (reference) tables from transactional ones, from the source's row estimate and the
// foreign keys of both catalogs. Shared by the schema agent and the planning agent, which sizes
// batches by class and must agree with it.

import { formatQualifiedName } from '../../spec/qualified-name.js';
import type { AgentMigration, AgentRequest, ClassificationProposal } from '../protocol.js';
import { countOf, formatCount } from './format.js';
import { findTable, type IncomingReference, incomingReferences, outgoingReferences } from './references.js';

/** Reference data is small: above this many rows a table is batched whatever references it. */
export const CATALOG_MAX_ROWS = 10_000;

export interface ClassVerdict {
  readonly class: ClassificationProposal['class'];
  readonly confidence: number;
  readonly reason: string;
}

/**
 * The class of a migration's table: the spec's when it sets one; otherwise catalog for a small table
 * that other tables reference and that references none itself, transactional for everything else.
 * Unknown sizes are batched (always safe) with a low confidence.
 */
export function classifyMigration(request: AgentRequest, migration: AgentMigration): ClassVerdict {
  if (migration.class !== undefined)
    return { class: migration.class, confidence: 1, reason: 'set in the spec' };
  const source = findTable(request, 'source', migration.from);
  const sourceName = formatQualifiedName(migration.from);
  if (!source) {
    return transactional(0.3, `the source table ${sourceName} is not in the catalog the agent was given`);
  }
  const incoming = incomingReferences(request, migration);
  const rows = source.rowEstimate;
  if (rows === undefined) {
    const unknown = `row count unknown (${sourceName} was never analyzed: run ANALYZE ${sourceName})`;
    if (incoming.length === 0) return transactional(0.8, `${unknown}; ${notReferenced()}`);
    return transactional(0.5, `${unknown}, so batched although ${referencedBy(incoming)}`);
  }
  if (incoming.length === 0) return transactional(0.95, `${countOf(rows, 'row')}, ${notReferenced()}`);
  if (rows > CATALOG_MAX_ROWS) {
    const limit = `above the ${formatCount(CATALOG_MAX_ROWS)} a reference table holds`;
    return transactional(0.95, `${countOf(rows, 'row')}, ${limit}, though ${referencedBy(incoming)}`);
  }
  const parents = outgoingReferences(request, migration);
  if (parents.length > 0) {
    const records = `but it references ${parents.join(', ')} itself, as business records do`;
    return transactional(0.85, `${countOf(rows, 'row')}, ${referencedBy(incoming)}, ${records}`);
  }
  return { class: 'catalog', confidence: 0.9, reason: `${countOf(rows, 'row')}, ${referencedBy(incoming)}` };
}

function transactional(confidence: number, reason: string): ClassVerdict {
  return { class: 'transactional', confidence, reason };
}

function notReferenced(): string {
  return "not referenced by another table's foreign key";
}

/** `referenced by 2 tables through FKs case_file_tags.case_file_id, orders.case_file_id`. */
function referencedBy(incoming: readonly IncomingReference[]): string {
  const tables = new Set(incoming.map((reference) => reference.tableKey)).size;
  const keys = incoming.map((reference) => reference.description).join(', ');
  return `referenced by ${countOf(tables, 'table')} through ${incoming.length === 1 ? 'FK' : 'FKs'} ${keys}`;
}
