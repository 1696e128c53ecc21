// The source columns that may fill one target column, each scored from its name, the foreign keys on
// both sides, the primary keys and the type conversion it needs, with a reason a reviewer can check.

import type { ColumnView } from './catalog-view.js';
import { singlePrimaryKey } from './catalog-view.js';
import type { MigrationContext } from './context.js';
import { type Conversion, convert } from './conversions.js';
import { compareReferences, type Parent, parentOf, referencedBy } from './foreign-keys.js';
import type { Loss } from './losses.js';
import { matchNames, round } from './name-match.js';
import { type Evidence, withForeignKeys } from './reference-evidence.js';
import { type ColumnSource, sqlIdentifier } from './snippets.js';
import { ASK_FOR_CAST_SCORE, CANDIDATE_FLOOR } from './thresholds.js';
import { askForCodes, codeTranslationNeeded, targetWantsNames } from './value-checks.js';
import { splitWords } from './words.js';

export interface Choice {
  readonly label: string;
  readonly value: ColumnSource;
}

export type Outcome =
  | {
      readonly kind: 'map';
      readonly value: { readonly from: string } | { readonly expr: string };
      readonly loss?: Loss;
    }
  | { readonly kind: 'ask'; readonly question: string; readonly choices: readonly Choice[] };

export interface Candidate {
  readonly column: ColumnView;
  /** The evidence of the names alone, before foreign keys and types. */
  readonly nameScore: number;
  /** The confidence of the mapping. */
  readonly score: number;
  readonly reason: string;
  readonly outcome: Outcome;
}

const KEY_WORDS = new Set(['id', 'no', 'num', 'nbr', 'nr', 'number', 'key', 'code', 'cd', 'pk', 'seq']);
const CODE_PENALTY = 0.3;
const KEY_AND_NAME_BONUS = 0.05;
const KEY_AND_NAME_CAP = 0.95;

/** Both columns are their table's one-column primary key, and the keys are kept. */
function primaryKeyScore(
  context: MigrationContext,
  target: ColumnView,
  source: ColumnView,
): number | undefined {
  if (context.migration.keys !== 'preserve') return undefined;
  if (singlePrimaryKey(context.target) !== target.name || singlePrimaryKey(context.source) !== source.name)
    return undefined;
  return KEY_WORDS.has(splitWords(source.name).at(-1) ?? '') ? 0.85 : 0.6;
}

function nameAndKeyEvidence(context: MigrationContext, target: ColumnView, source: ColumnView): Evidence {
  const targetReading = context.targetReadings.get(target.name);
  const sourceReading = context.sourceReadings.get(source.name);
  const name = targetReading && sourceReading ? matchNames(targetReading, sourceReading) : undefined;
  const key = primaryKeyScore(context, target, source);
  if (key === undefined) return { score: name?.score ?? 0, notes: name?.notes ?? [], name };
  const keyNote = 'both are the one-column primary key of their table';
  if (!name) return { score: key, notes: [keyNote], name };
  if (name.score >= 1) return { score: 1, notes: name.notes, name };
  // Two independent signs agreeing say more than either alone.
  const score = Math.min(KEY_AND_NAME_CAP, Math.max(key, name.score) + KEY_AND_NAME_BONUS);
  return { score: Math.max(score, name.score), notes: [keyNote, ...name.notes], name };
}

function describe(notes: readonly string[], conversionNote: string): string {
  if (notes.length === 1 && notes[0] === 'same name' && conversionNote === 'same type')
    return 'same name and type';
  return [...notes, conversionNote].join('; ');
}

function outcomeOf(conversion: Conversion, source: ColumnView): Outcome | undefined {
  switch (conversion.kind) {
    case 'copy':
      return {
        kind: 'map',
        value: { from: source.name },
        ...(conversion.loss ? { loss: conversion.loss } : {}),
      };
    case 'expr':
      return {
        kind: 'map',
        value: { expr: conversion.expr },
        ...(conversion.loss ? { loss: conversion.loss } : {}),
      };
    case 'ask':
      return {
        kind: 'ask',
        question: conversion.question,
        choices: conversion.choices.map((c) => ({ label: c.label, value: { expr: c.expr } })),
      };
    case 'incompatible':
      return undefined;
  }
}

/** A key copied into a column that references generated keys would point at the wrong rows. */
function askForRef(target: ColumnView, source: ColumnView, parent: Parent): Outcome {
  const migration = parent.migrations.find((m) => m.keys === 'generate') ?? parent.migrations[0];
  const ref = migration?.name ?? '';
  return {
    kind: 'ask',
    question: `${target.name} references ${parent.table.schema}.${parent.table.name}, whose keys the target generates: the old keys in ${source.name} must be translated through ref ${ref}.`,
    choices: [
      {
        label: `${source.name}, translated through the key mapping of ${ref}`,
        value: { from: source.name, ref },
      },
    ],
  };
}

/** Names that agree on types that do not: only a person can say how one becomes the other. */
function askForCast(target: ColumnView, source: ColumnView): Outcome {
  return {
    kind: 'ask',
    question: `${source.name} (${source.type}) matches ${target.name} (${target.type}) by name, but the types have no plain conversion: how does one become the other?`,
    choices: [
      {
        label: `cast ${source.name} to ${target.type}`,
        value: { expr: `${sqlIdentifier(source.name)}::${target.type}` },
      },
    ],
  };
}

function scoreOne(
  context: MigrationContext,
  target: ColumnView,
  source: ColumnView,
  parent: Parent | undefined,
  referencing: number,
): Candidate | undefined {
  const names = nameAndKeyEvidence(context, target, source);
  const evidence = withForeignKeys(names, context, parent, target, source, referencing);
  if (evidence.score < CANDIDATE_FLOOR) return undefined;
  const hints = { cents: evidence.name?.cents === true, negate: evidence.name?.negate === true };
  const conversion = convert(source, target, hints);
  let outcome =
    outcomeOf(conversion, source) ??
    (evidence.score >= ASK_FOR_CAST_SCORE ? askForCast(target, source) : undefined);
  if (!outcome) return undefined;
  let score = evidence.score - ('cost' in conversion ? conversion.cost : 0);
  const notes = [...evidence.notes];
  if (evidence.name?.codeDropped && targetWantsNames(source, target)) {
    score -= CODE_PENALTY;
    notes.push(`${target.name} (${target.type}) looks like it wants names rather than codes`);
  }
  if (outcome.kind === 'map' && codeTranslationNeeded(context.target, target, source)) {
    outcome = askForCodes(context.target, target, source);
  }
  if (outcome.kind === 'map' && parent?.needsRef) outcome = askForRef(target, source, parent);
  const conversionNote = 'note' in conversion ? conversion.note : 'the values need a person to read them';
  return {
    column: source,
    nameScore: names.score,
    score: Math.max(0, Math.min(1, round(score))),
    reason: describe(notes, conversionNote),
    outcome,
  };
}

/** Every source column that may fill `target`, best first (ties in table order). */
export function scoreCandidates(context: MigrationContext, target: ColumnView): Candidate[] {
  const parent = parentOf(context, target);
  const referencing = context.source.columns.filter(
    (column) => compareReferences(parent, referencedBy(context.source, column.name)) === 'match',
  ).length;
  return context.source.columns
    .flatMap((source) => scoreOne(context, target, source, parent, referencing) ?? [])
    .sort((a, b) => b.score - a.score || a.column.ordinal - b.column.ordinal);
}
