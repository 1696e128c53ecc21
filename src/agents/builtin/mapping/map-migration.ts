// Maps the open columns of one migration: the strongest evidence claims its source column first, a
// clear winner above the threshold becomes a proposal, anything doubtful becomes a decision.

import type { Proposal } from '../../protocol.js';
import { type Candidate, scoreCandidates } from './candidates.js';
import { type ColumnView, displayColumn, displayTable, targetFillsColumn } from './catalog-view.js';
import type { MigrationContext } from './context.js';
import {
  candidateOptions,
  columnProposal,
  decision,
  lossWarningOf,
  type Option,
  omitOption,
  omitProposal,
} from './proposals.js';
import { formatConfidence } from './snippets.js';
import { AMBIGUITY_MARGIN, MAX_OPTIONS, OPTION_FLOOR, SHARED_SOURCE_SCORE } from './thresholds.js';
import { unmatchedColumn } from './unmatched-column.js';

interface Settled {
  readonly proposals: readonly Proposal[];
  /** The source column the proposal reads, now taken. */
  readonly source?: string;
}

/** The proposals for every open column of the migration, in the order the columns were given. */
export function mapMigration(context: MigrationContext): Proposal[] {
  const settled = new Map<string, readonly Proposal[]>();
  const pending: { column: ColumnView; candidates: Candidate[] }[] = [];
  for (const name of context.migration.openColumns) {
    const column = context.target.columns.find((c) => c.name === name);
    if (!column) {
      // No `column` field: it names a column the target lacks, which no proposal may name.
      const message = `${displayTable(context.target)} has no column ${name}, so it cannot be mapped.`;
      settled.set(name, [{ kind: 'warning', migration: context.migration.name, message }]);
    } else if (!column.generated) {
      const key = generatedKey(context, column);
      if (key) settled.set(name, key);
      else pending.push({ column, candidates: scoreCandidates(context, column) });
    }
  }
  const taken = declaredSources(context);
  const claims = claimsOf(pending);
  pending.sort(
    (a, b) =>
      (b.candidates[0]?.score ?? 0) - (a.candidates[0]?.score ?? 0) || a.column.ordinal - b.column.ordinal,
  );
  for (const { column, candidates } of pending) {
    const free = candidates.filter((c) => !taken.has(c.column.name) || c.nameScore >= SHARED_SOURCE_SCORE);
    const elsewhere = new Set([...taken, ...(claims.get(column.name) ?? [])]);
    const result = settleColumn(context, column, free, elsewhere);
    if (result.source !== undefined) taken.add(result.source);
    settled.set(column.name, result.proposals);
  }
  return context.migration.openColumns.flatMap((name) => settled.get(name) ?? []);
}

/** For each target column, the source columns that other target columns have good candidates in. */
function claimsOf(pending: readonly { column: ColumnView; candidates: readonly Candidate[] }[]) {
  const claims = new Map<string, string[]>();
  for (const { column } of pending) {
    const others = pending.filter((other) => other.column !== column);
    const claimed = others.flatMap((other) =>
      other.candidates.filter((c) => c.score >= OPTION_FLOOR).map((c) => c.column.name),
    );
    claims.set(column.name, claimed);
  }
  return claims;
}

/** `keys: generate`: the target assigns the primary key, so it is left out, when the target can. */
function generatedKey(context: MigrationContext, column: ColumnView): Proposal[] | undefined {
  const { migration, target } = context;
  if (migration.keys !== 'generate' || !target.primaryKey?.includes(column.name)) return undefined;
  if (targetFillsColumn(column)) {
    const reason = `keys: generate: the target assigns ${column.name} itself, and ferry records old → new keys in migration_mappings`;
    return [omitProposal(migration.name, column.name, 1, reason)];
  }
  const question = `keys: generate, but ${displayTable(target)}.${column.name} has no identity, sequence or default to generate it: keep the legacy keys instead?`;
  return [
    decision(migration.name, column.name, question, [
      { label: 'keep the legacy keys', yaml: 'keys: preserve' },
    ]),
  ];
}

/** Source columns the spec already reads: `from`, and the names its expressions use. */
function declaredSources(context: MigrationContext): Set<string> {
  const names = new Set(context.source.columns.map((c) => c.name));
  const taken = new Set<string>();
  for (const declared of Object.values(context.migration.declaredColumns)) {
    if (declared.from !== undefined) taken.add(declared.from);
    for (const word of declared.expr?.match(/[A-Za-z_][A-Za-z0-9_$]*/g) ?? []) {
      if (names.has(word)) taken.add(word);
    }
  }
  return taken;
}

function settleColumn(
  context: MigrationContext,
  column: ColumnView,
  candidates: readonly Candidate[],
  claimed: ReadonlySet<string>,
): Settled {
  const viable = candidates.filter((c) => c.score >= OPTION_FLOOR);
  const [best, second] = viable;
  if (!best) return { proposals: [unmatchedColumn(context, column, candidates, claimed)] };
  const tied = second !== undefined && best.score - second.score < AMBIGUITY_MARGIN - 1e-9;
  const migration = context.migration.name;
  if (best.outcome.kind === 'map' && best.score >= context.request.minConfidence && !tied) {
    const proposal = columnProposal(migration, column.name, best);
    const loss = best.outcome.loss;
    if (!loss) return { proposals: [proposal], source: best.column.name };
    const lossWarning = lossWarningOf(migration, context.target, column.name, best.column.name, loss);
    return { proposals: [proposal, lossWarning], source: best.column.name };
  }
  const options: Option[] = viable.slice(0, MAX_OPTIONS).flatMap((c) => candidateOptions(column.name, c));
  const omit = omitOption(column);
  if (omit) options.push(omit);
  return {
    proposals: [
      decision(migration, column.name, question(context, column, best, tied ? second : undefined), options),
    ],
  };
}

function question(
  context: MigrationContext,
  column: ColumnView,
  best: Candidate,
  rival: Candidate | undefined,
): string {
  const target = displayColumn(context.target, column.name);
  if (rival) {
    return `${best.column.name} and ${rival.column.name} fit ${target} about equally well (${formatConfidence(best.score)} and ${formatConfidence(rival.score)}): which one fills it?`;
  }
  if (best.outcome.kind === 'ask') return best.outcome.question;
  return `The best match for ${target} is ${best.column.name} (${best.reason}), with confidence ${formatConfidence(best.score)}, below the ${formatConfidence(context.request.minConfidence)} threshold: is it the right column?`;
}
