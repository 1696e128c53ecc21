// The shape of a migration's table, read from the target's keys (the source's when the target table
// is missing): a junction of two or more parents, a table that references itself, or plain.

import { formatQualifiedName } from '../../spec/qualified-name.js';
import type { AgentMigration, AgentRequest, ClassificationProposal } from '../protocol.js';
import { formatColumnList, numberWord } from './format.js';
import { findTable, type RequestTable, selfReference } from './references.js';

/** A junction carries its keys and at most this many columns of its own (a timestamp, a position). */
export const JUNCTION_MAX_EXTRA_COLUMNS = 2;

export interface ShapeVerdict {
  readonly shape: ClassificationProposal['shape'];
  readonly confidence: number;
  /** Absent for a plain table: there is nothing to point a reviewer at. */
  readonly reason?: string;
}

/** Self-referencing before junction: a self-reference decides the load order (a fix-up step). */
export function detectShape(request: AgentRequest, migration: AgentMigration): ShapeVerdict {
  const target = findTable(request, 'target', migration.to);
  const table = target ?? findTable(request, 'source', migration.from);
  if (!table) return { shape: 'plain', confidence: 0.3, reason: 'neither table is in the catalogs' };
  const verdict = shapeOf(table);
  if (target) return verdict;
  const reason = `${verdict.reason ?? 'plain'}, read from the source table (${formatQualifiedName(migration.to)} is not in the target catalog)`;
  return { ...verdict, confidence: Math.min(verdict.confidence, 0.8), reason };
}

function shapeOf(table: RequestTable): ShapeVerdict {
  const self = selfReference(table);
  if (self !== undefined)
    return { shape: 'self-referencing', confidence: 1, reason: `FK ${self} references its own table` };
  const junction = junctionReason(table);
  if (junction) return { shape: 'junction', ...junction };
  return { shape: 'plain', confidence: 1 };
}

/** The primary key, else a unique key beside a surrogate primary key, made of foreign keys only. */
function junctionReason(table: RequestTable): { confidence: number; reason: string } | undefined {
  const primaryKey = table.primaryKey ?? [];
  const candidates: { key: readonly string[]; label: string; surrogate: readonly string[] }[] = [
    ...(primaryKey.length > 0 ? [{ key: primaryKey, label: 'primary key', surrogate: [] }] : []),
    ...table.uniqueKeys.map((key) => ({ key, label: 'unique key', surrogate: primaryKey })),
  ];
  for (const { key, label, surrogate } of candidates) {
    const parents = foreignKeysCovering(table, key);
    if (parents === undefined || parents < 2) continue;
    const extra = table.columns.map((c) => c.name).filter((c) => !key.includes(c) && !surrogate.includes(c));
    if (extra.length > JUNCTION_MAX_EXTRA_COLUMNS) continue;
    const beside =
      surrogate.length > 0 ? `, beside the surrogate primary key ${formatColumnList(surrogate)}` : '';
    const carrying = extra.length > 0 ? `, carrying ${extra.join(', ')}` : '';
    return {
      confidence: extra.length > 0 ? 0.9 : 1,
      reason: `${label} ${formatColumnList(key)} is ${numberWord(parents)} foreign keys${beside}${carrying}`,
    };
  }
  return undefined;
}

/** How many foreign keys make up the key exactly, or undefined when a key column is in none of them. */
function foreignKeysCovering(table: RequestTable, key: readonly string[]): number | undefined {
  if (key.length < 2) return undefined;
  const inside = table.foreignKeys.filter((fk) => fk.columns.every((c) => key.includes(c)));
  const covered = new Set(inside.flatMap((fk) => fk.columns));
  return key.every((c) => covered.has(c)) ? inside.length : undefined;
}
