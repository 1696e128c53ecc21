// A target column no source column clearly fills: a warning when the target can leave it NULL or to
// its default, a decision (never "omit") when it is NOT NULL without a default.

import type { DecisionProposal, WarningProposal } from '../../protocol.js';
import type { Candidate } from './candidates.js';
import { type ColumnView, displayColumn, displayTable, targetFillsColumn } from './catalog-view.js';
import type { MigrationContext } from './context.js';
import { decision, type Option, warning } from './proposals.js';
import { columnYaml, formatConfidence } from './snippets.js';
import { MAX_OPTIONS } from './thresholds.js';
import { typeFamily } from './type-families.js';

/**
 * The proposal for a column without a usable candidate. `candidates` are the weak ones (below the
 * option floor); `claimed` are source columns the spec or other target columns already use.
 */
export function unmatchedColumn(
  context: MigrationContext,
  column: ColumnView,
  candidates: readonly Candidate[],
  claimed: ReadonlySet<string>,
): DecisionProposal | WarningProposal {
  const migration = context.migration.name;
  const source = displayTable(context.source);
  const target = displayColumn(context.target, column.name);
  if (column.nullable || targetFillsColumn(column)) {
    const fate =
      column.default === undefined ? 'it will be left NULL' : `it will get its default (${column.default})`;
    const message = `No column of ${source} matches ${target}; ${fate}.`;
    return warning(migration, column.name, message, columnYaml(column.name, { omit: true }));
  }
  const options = [...weakOptions(context, column, candidates, claimed), expressionOption(column)];
  const closest = candidates[0];
  const question = closest
    ? `Nothing in ${source} clearly matches ${target}, which is NOT NULL and has no default (the closest, ${closest.column.name}, scores ${formatConfidence(closest.score)}): what fills it?`
    : `No column of ${source} matches ${target}, which is NOT NULL and has no default: what fills it?`;
  return decision(migration, column.name, question, options);
}

/** The weak candidates, and the unclaimed columns of the same type when there are only a few. */
function weakOptions(
  context: MigrationContext,
  column: ColumnView,
  candidates: readonly Candidate[],
  claimed: ReadonlySet<string>,
): Option[] {
  const weak = candidates.slice(0, MAX_OPTIONS);
  const byName = weak.flatMap((candidate) =>
    candidate.outcome.kind === 'map'
      ? [
          {
            label: `${candidate.column.name}, a weak match: ${candidate.reason} (confidence ${formatConfidence(candidate.score)})`,
            yaml: columnYaml(column.name, candidate.outcome.value),
          },
        ]
      : [],
  );
  const family = typeFamily(column);
  const sameType = context.source.columns.filter(
    (c) =>
      family !== 'other' &&
      typeFamily(c) === family &&
      !claimed.has(c.name) &&
      !weak.some((w) => w.column === c),
  );
  if (byName.length + sameType.length > MAX_OPTIONS) return byName;
  const byType = sameType.map((c) => ({
    label: `${c.name} (only the type matches: ${c.type})`,
    yaml: columnYaml(column.name, { from: c.name }),
  }));
  return [...byName, ...byType];
}

function expressionOption(column: ColumnView): Option {
  return {
    label: 'an SQL expression over the source columns (replace the placeholder)',
    yaml: columnYaml(column.name, { expr: '<expression>' }),
  };
}
