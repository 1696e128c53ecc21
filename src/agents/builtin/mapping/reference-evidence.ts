// Foreign keys weighed as evidence: a match confirms a name, a mismatch halves it, and a lone
// reference to the right table counts on its own when some name agrees with the role it plays.

import type { ColumnView } from './catalog-view.js';
import { canonicalWords, compareWords } from './compare-words.js';
import type { MigrationContext } from './context.js';
import { compareReferences, type Parent, referencedBy } from './foreign-keys.js';
import type { NameMatch } from './name-match.js';
import { tableWords } from './table-names.js';
import { splitWords } from './words.js';

export interface Evidence {
  readonly score: number;
  readonly notes: readonly string[];
  readonly name: NameMatch | undefined;
}

/** A name this good, confirmed by the foreign keys, is as good as certain. */
const CONFIRMED_NAME = 0.7;
const CONFIRMED_SCORE = 0.95;
/** The only reference to the right table, its role named on either side. */
const LONE_REFERENCE_SCORE = 0.9;
/** The only reference to the right table, but nothing says it plays the target column's role. */
const UNNAMED_REFERENCE_SCORE = 0.75;
/** One of several references to the right table: a candidate for a decision. */
const SHARED_REFERENCE_SCORE = 0.6;
const CONFLICT_FACTOR = 0.5;
const KEY_WORDS = new Set(['id', 'no', 'number', 'num', 'nr', 'code', 'key', 'fk', 'ref', 'reference']);

/** The words of a column name that say what it refers to, not that it is a key. */
function roleWords(name: string): string[] {
  return canonicalWords(splitWords(name)).filter((word) => !KEY_WORDS.has(word));
}

/**
 * Whether the names back a lone reference: the target column is named after the table it references
 * (`department_id` → departments), or both columns share a word of their role (`manager_id`, `mgr_emp_no`).
 */
function roleConfirmed(
  context: MigrationContext,
  parent: Parent,
  target: ColumnView,
  source: ColumnView,
): boolean {
  const targetRole = roleWords(target.name);
  const parentWords = canonicalWords(tableWords(parent.table.name, context.request.targetPrefix));
  if (targetRole.length > 0 && compareWords(targetRole, parentWords) !== undefined) return true;
  const sourceRole = new Set(roleWords(source.name));
  return targetRole.some((word) => sourceRole.has(word));
}

/** Raises or lowers the evidence with the foreign keys of both columns. */
export function withForeignKeys(
  evidence: Evidence,
  context: MigrationContext,
  parent: Parent | undefined,
  target: ColumnView,
  source: ColumnView,
  referencing: number,
): Evidence {
  const referenced = referencedBy(context.source, source.name);
  const fk = compareReferences(parent, referenced);
  if (!parent || !referenced || fk === undefined) return evidence;
  const parentName = `${parent.table.schema}.${parent.table.name}`;
  const sourceName = `${referenced.schema}.${referenced.name}`;
  const raise = (score: number, notes: readonly string[]) => ({
    ...evidence,
    score: Math.max(evidence.score, score),
    notes,
  });
  if (fk === 'conflict') {
    const note = `but it references ${sourceName}, which is not where ${parentName} is loaded from`;
    return { ...evidence, score: evidence.score * CONFLICT_FACTOR, notes: [...evidence.notes, note] };
  }
  const note = `FK to ${parentName} matches FK to ${sourceName}`;
  if (evidence.score >= CONFIRMED_NAME) return raise(CONFIRMED_SCORE, [...evidence.notes, note]);
  if (referencing !== 1 || parent.siblings !== 1)
    return raise(SHARED_REFERENCE_SCORE, [...evidence.notes, note]);
  const only = `the only column referencing ${sourceName}, as the target column references ${parentName}`;
  if (roleConfirmed(context, parent, target, source)) return raise(LONE_REFERENCE_SCORE, [only]);
  return raise(UNNAMED_REFERENCE_SCORE, [
    `${only}, but neither name says it plays the role of ${target.name}`,
  ]);
}
