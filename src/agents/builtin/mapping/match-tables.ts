// Which source table most likely becomes each target table, for `ferry init`: names without the
// application prefix, singular or plural, abbreviated, and how many target columns find a source column.

import type { QualifiedName } from '../../../spec/types.js';
import type { CatalogView, TableView } from './catalog-view.js';
import { compareWords } from './compare-words.js';
import { readTable } from './context.js';
import { matchNames } from './name-match.js';
import type { ColumnReading } from './name-readings.js';
import { detectAppPrefix, tableWords } from './table-names.js';
import { compact, splitWords } from './words.js';

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
/** Without a name in common, this many columns must share their names, and this share of them. */
const COLUMNS_ONLY_MIN_MATCHES = 3;
const COLUMNS_ONLY_MIN_SHARE = 0.75;
const MIN_CONFIDENCE = 0.5;
const PREFIX_COST = 0.05;
const COLUMN_SCORE = 0.8;

/** A table read once: its name without prefix, and its columns' names read every way. */
interface TableInfo {
  readonly table: TableView;
  readonly words: readonly string[];
  readonly prefixed: boolean;
  readonly readings: ReadonlyMap<string, ColumnReading>;
  /** Writable columns' names as words run together, for the cheap comparison. */
  readonly plainNames: ReadonlySet<string>;
}

function readTableInfo(table: TableView, prefix: string | undefined): TableInfo {
  const words = tableWords(table.name, prefix);
  const writable = table.columns.filter((c) => !c.generated);
  return {
    table,
    words,
    prefixed: words.length !== splitWords(table.name).length,
    readings: readTable(table, words),
    plainNames: new Set(writable.map((c) => compact(splitWords(c.name)))),
  };
}

function nameEvidence(target: TableInfo, source: TableInfo, sourcePrefix: string | undefined) {
  if (target.table.name === source.table.name) return { score: 1, note: 'same name' };
  const match = compareWords(source.words, target.words);
  if (!match) return undefined;
  const score = 1 - match.cost - (source.prefixed ? PREFIX_COST : 0);
  const without = source.prefixed ? ` without its ${sourcePrefix ?? 'table'}_ prefix` : '';
  const how = match.notes.length > 0 ? ` (${match.notes.join('; ')})` : '';
  return { score, note: `${source.table.name}${without} names ${target.table.name}${how}` };
}

/** How many of the target's writable columns some source column matches well by name. */
function columnEvidence(target: TableInfo, source: TableInfo): { matched: number; total: number } {
  const writable = target.table.columns.filter((c) => !c.generated);
  const sourceReadings = [...source.readings.values()];
  const matched = writable.filter((column) => {
    const reading = target.readings.get(column.name);
    return (
      reading && sourceReadings.some((other) => (matchNames(reading, other)?.score ?? 0) >= COLUMN_SCORE)
    );
  }).length;
  return { matched, total: writable.length };
}

/** Columns of the same name, counted cheaply: only worth it when the table names say nothing. */
function sameNamedColumns(target: TableInfo, source: TableInfo): { matched: number; total: number } {
  const matched = [...target.plainNames].filter((name) => source.plainNames.has(name)).length;
  return { matched, total: target.plainNames.size };
}

function scorePair(target: TableInfo, source: TableInfo, sourcePrefix: string | undefined): Pair | undefined {
  const name = nameEvidence(target, source, sourcePrefix);
  if (name) {
    const columns = columnEvidence(target, source);
    const share = columns.total === 0 ? 0 : columns.matched / columns.total;
    const confidence = NAME_WEIGHT * name.score + COLUMN_WEIGHT * share;
    const reason = `${name.note}; ${columns.matched} of ${columns.total} columns match by name`;
    return confidence < MIN_CONFIDENCE ? undefined : pair(target, source, confidence, reason);
  }
  const columns = sameNamedColumns(target, source);
  const share = columns.total === 0 ? 0 : columns.matched / columns.total;
  if (columns.matched < COLUMNS_ONLY_MIN_MATCHES || share < COLUMNS_ONLY_MIN_SHARE) return undefined;
  const reason = `the table names differ, but ${columns.matched} of ${columns.total} columns have the same names`;
  return pair(target, source, COLUMNS_ONLY_WEIGHT * share, reason);
}

function pair(target: TableInfo, source: TableInfo, confidence: number, reason: string): Pair {
  return {
    source: source.table,
    target: target.table,
    confidence: Math.round(Math.min(1, confidence) * 100) / 100,
    reason,
  };
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
  const sourcePrefix = detectAppPrefix(source.tables.map((t) => t.name));
  const targetPrefix = detectAppPrefix(target.tables.map((t) => t.name));
  const sources = source.tables.map((table) => readTableInfo(table, sourcePrefix));
  const pairs = target.tables
    .map((table) => readTableInfo(table, targetPrefix))
    .flatMap((t) => sources.flatMap((s) => scorePair(t, s, sourcePrefix) ?? []))
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
