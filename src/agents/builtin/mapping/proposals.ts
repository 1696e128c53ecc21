// The agent's answers in protocol form: a column mapping, a decision with the YAML of each option,
// a warning with the YAML that makes a lossy conversion explicit.

import type { QualifiedName } from '../../../spec/types.js';
import type { ColumnProposal, DecisionProposal, WarningProposal } from '../../protocol.js';
import type { Candidate, Choice } from './candidates.js';
import { type ColumnView, displayColumn } from './catalog-view.js';
import type { Loss } from './losses.js';
import { columnYaml, formatConfidence } from './snippets.js';

export type Option = DecisionProposal['options'][number];

export function columnProposal(migration: string, column: string, candidate: Candidate): ColumnProposal {
  if (candidate.outcome.kind !== 'map')
    throw new Error(`${column}: only a mapped candidate becomes a proposal`);
  return {
    kind: 'column',
    migration,
    column,
    ...candidate.outcome.value,
    confidence: candidate.score,
    reason: candidate.reason,
  };
}

export function omitProposal(
  migration: string,
  column: string,
  confidence: number,
  reason: string,
): ColumnProposal {
  return { kind: 'column', migration, column, omit: true, confidence, reason };
}

export function decision(
  migration: string,
  column: string,
  question: string,
  options: readonly Option[],
): DecisionProposal {
  const unique = options.filter((option, i) => options.findIndex((o) => o.yaml === option.yaml) === i);
  return { kind: 'decision', migration, column, question, options: unique };
}

export function warning(migration: string, column: string, message: string, yaml?: string): WarningProposal {
  return yaml === undefined
    ? { kind: 'warning', migration, column, message }
    : { kind: 'warning', migration, column, message, yaml };
}

/** A mapping that loses information: what may be lost, and the YAML that makes the conversion explicit. */
export function lossWarningOf(
  migration: string,
  table: QualifiedName,
  column: string,
  source: string,
  loss: Loss,
) {
  const message = `${displayColumn(table, column)} from ${source}: ${loss.message}`;
  return warning(migration, column, message, columnYaml(column, { expr: loss.expr }));
}

/** The options a candidate offers: its mapping, or the choices of its question. */
export function candidateOptions(column: string, candidate: Candidate): Option[] {
  if (candidate.outcome.kind === 'ask')
    return candidate.outcome.choices.map((choice) => choiceOption(column, choice));
  const label = `${candidate.column.name}: ${candidate.reason} (confidence ${formatConfidence(candidate.score)})`;
  return [{ label, yaml: columnYaml(column, candidate.outcome.value) }];
}

export function choiceOption(column: string, choice: Choice): Option {
  return { label: choice.label, yaml: columnYaml(column, choice.value) };
}

/** Leaving the column out, which the target allows when it is nullable or has a default. */
export function omitOption(column: ColumnView): Option | undefined {
  const yaml = columnYaml(column.name, { omit: true });
  if (column.identity !== undefined || column.serial)
    return { label: 'leave it to the target to generate', yaml };
  if (column.default !== undefined) return { label: `leave it to its default (${column.default})`, yaml };
  if (column.nullable) return { label: 'leave it NULL', yaml };
  return undefined;
}
