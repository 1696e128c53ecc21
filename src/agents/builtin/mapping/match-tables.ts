// Which source table most likely becomes each target table, for `ferry init`: names without the
// application prefix, singular or plural, abbreviated, and how many target columns find a source column.

import type { QualifiedName } from '../../../spec/types.js';
import type { CatalogView, TableView } from './catalog-view.js';
import { compareWords } from './compare-words.js';
import { matchNames } from './name-match.js';
import { detectAppPrefix, tableWords } from './table-names.js';
import { isTemporal, typeFamily } from './type-families.js';
import { splitWords } from './words.js';

export interface TableMatch {
  /** Absent when no source table matches. */
  readonly source?: QualifiedName;
  readonly target: QualifiedName;
  /** 0 when no source table matches. */
  readonly confidence: number;
  readonly reason: string;
}

interface Pair {
  readonly source: TableView;
  readonly target: TableView;
  readonly confidence: number;
  readonly reason: string;
}

const NAME_WEIGHT = 0.8;
const COLUMN_WEIGHT = 0.2;
const COLUMNS_ONLY_WEIGHT = 0.6;
const MIN_CONFIDENCE = 0.5;
const PREFIX_COST = 0.05;
const COLUMN_SCORE = 0.8;

interface Prefixes {
  readonly source: string | undefined;
  readonly target: string | undefined;
}

function nameEvidence(target: TableView, source: TableView, prefixes: Prefixes) {
  if (target.name === source.name) return { score: 1, note: 'same name' };
  const sourceWords = tableWords(source.name, prefixes.source);
  const targetWords = tableWords(target.name, prefixes.target);
  const match = compareWords(sourceWords, targetWords);
  if (!match) return undefined;
  const prefixed = sourceWords.length !== splitWords(source.name).length;
  const score = 1 - match.cost - (prefixed ? PREFIX_COST : 0);
  const without = prefixed ? ` without its ${prefixes.source ?? 'table'}_ prefix` : '';
  const how = match.notes.length > 0 ? ` (${match.notes.join('; ')})` : '';
  return { score, note: `${source.name}${without} names ${target.name}${how}` };
}

/** How many of the target's writable columns some source column matches well by name. */
function columnEvidence(
  target: TableView,
  source: TableView,
  prefixes: Prefixes,
): { matched: number; total: number } {
  const writable = target.columns.filter((c) => !c.generated);
  const named = (table: TableView, prefix: string | undefined) => (column: TableView['columns'][number]) => ({
    name: column.name,
    tableName: table.name,
    tableWords: tableWords(table.name, prefix),
    temporal: isTemporal(typeFamily(column)),
  });
  const asTarget = named(target, prefixes.target);
  const asSource = named(source, prefixes.source);
  const matched = writable.filter((column) =>
    source.columns.some(
      (other) => (matchNames(asTarget(column), asSource(other))?.score ?? 0) >= COLUMN_SCORE,
    ),
  ).length;
  return { matched, total: writable.length };
}

function scorePair(target: TableView, source: TableView, prefixes: Prefixes): Pair | undefined {
  const name = nameEvidence(target, source, prefixes);
  const columns = columnEvidence(target, source, prefixes);
  const share = columns.total === 0 ? 0 : columns.matched / columns.total;
  const confidence = name ? NAME_WEIGHT * name.score + COLUMN_WEIGHT * share : COLUMNS_ONLY_WEIGHT * share;
  if (confidence < MIN_CONFIDENCE) return undefined;
  const columnNote = `${columns.matched} of ${columns.total} columns match by name`;
  const reason = name ? `${name.note}; ${columnNote}` : `the names differ, but ${columnNote}`;
  return { source, target, confidence: Math.round(Math.min(1, confidence) * 100) / 100, reason };
}

function compareKeys(a: TableView, b: TableView): number {
  const left = `${a.schema}.${a.name}`;
  const right = `${b.schema}.${b.name}`;
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * For each target table, the source table that most likely becomes it (each source table used once);
 * target tables nothing matches come with confidence 0 and no source.
 *
 * @example
 * matchTables(legacyCatalog, appCatalog)
 * // [{ source: { schema: 'legacy', name: 'dispatch_bracket' }, target: { schema: 'app', name: 'brackets' },
 * //    confidence: 0.92, reason: 'dispatch_bracket without its dispatch_ prefix names brackets (…)' }, …]
 */
export function matchTables(source: CatalogView, target: CatalogView): TableMatch[] {
  const prefixes = {
    source: detectAppPrefix(source.tables.map((t) => t.name)),
    target: detectAppPrefix(target.tables.map((t) => t.name)),
  };
  const pairs = target.tables
    .flatMap((t) => source.tables.flatMap((s) => scorePair(t, s, prefixes) ?? []))
    .sort(
      (a, b) =>
        b.confidence - a.confidence || compareKeys(a.target, b.target) || compareKeys(a.source, b.source),
    );
  const chosen = new Map<TableView, Pair>();
  const usedSources = new Set<TableView>();
  for (const pair of pairs) {
    if (chosen.has(pair.target) || usedSources.has(pair.source)) continue;
    chosen.set(pair.target, pair);
    usedSources.add(pair.source);
  }
  return target.tables.map((table) => {
    const pair = chosen.get(table);
    const name = { schema: table.schema, name: table.name };
    if (!pair)
      return { target: name, confidence: 0, reason: 'no source table matches its name or its columns' };
    const from = { schema: pair.source.schema, name: pair.source.name };
    return { source: from, target: name, confidence: pair.confidence, reason: pair.reason };
  });
}
