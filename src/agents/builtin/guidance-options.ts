// The options of a decision, as YAML a person pastes into a migration's spec: options other agents
// wrote are checked and brought into one shape; when there are none, safe starting points are added.

import { parseDocument } from 'yaml';
import { columnYaml } from '../../spec/column-yaml.js';
import type { DecisionProposal } from '../protocol.js';
import type { RequestTable } from './references.js';

export type DecisionOption = DecisionProposal['options'][number];
export type TargetColumn = RequestTable['columns'][number];

type ColumnValue = Record<string, string | boolean>;

const COLUMN_SPEC_KEYS = new Set(['from', 'expr', 'ref', 'omit']);

/**
 * An option as valid spec YAML: a bare column value (`{ from: x }`) goes under `columns:`, a
 * `columns:` block is written in ferry's one-line-per-column style, other mappings stay as written.
 * Returns an error message when the text is not a YAML mapping.
 */
export function normalizeOption(
  option: DecisionOption,
  column: string | undefined,
): DecisionOption | { error: string } {
  const document = parseDocument(option.yaml, { prettyErrors: false });
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem) return { error: problem.message.split('\n')[0] ?? 'not valid YAML' };
  const value: unknown = document.toJS();
  if (!isRecord(value)) return { error: 'not a YAML mapping' };
  if (column !== undefined && isColumnValue(value))
    return { label: option.label, yaml: columnYaml(column, value) };
  const columns = value.columns;
  if (Object.keys(value).length === 1 && isRecord(columns) && Object.values(columns).every(isColumnValue)) {
    const entries = Object.entries(columns as Record<string, ColumnValue>);
    const lines = entries.map(([name, spec]) => columnYaml(name, spec).replace(/^columns:\n/, ''));
    return { label: option.label, yaml: `columns:\n${lines.join('')}` };
  }
  return { label: option.label, yaml: option.yaml.endsWith('\n') ? option.yaml : `${option.yaml}\n` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isColumnValue(value: unknown): value is ColumnValue {
  if (!isRecord(value) || Object.keys(value).length === 0) return false;
  return Object.entries(value).every(
    ([key, field]) =>
      COLUMN_SPEC_KEYS.has(key) && (key === 'omit' ? field === true : typeof field === 'string'),
  );
}

/**
 * Starting points for a column nobody proposed anything for: a constant placeholder to replace (for
 * a NOT NULL column every row needs a value), and leaving it out where the target can fill it in.
 */
export function fallbackOptions(column: string, target: TargetColumn | undefined): DecisionOption[] {
  if (target?.generated)
    return [{ label: 'leave it to the target, which computes it', yaml: columnYaml(column, { omit: true }) }];
  const options = [placeholderOption(column, target)];
  if (target?.identity !== undefined || target?.serial) {
    options.push({ label: 'let the target generate it', yaml: columnYaml(column, { omit: true }) });
  } else if (target?.default !== undefined) {
    options.push({
      label: `leave it to the target's default, ${target.default}`,
      yaml: columnYaml(column, { omit: true }),
    });
  } else if (target?.nullable) {
    options.push({ label: 'leave it NULL', yaml: columnYaml(column, { omit: true }) });
  }
  return options;
}

function placeholderOption(column: string, target: TargetColumn | undefined): DecisionOption {
  const constant = placeholderConstant(target);
  const yaml = columnYaml(column, { expr: constant });
  const comment = ` # placeholder: replace ${constant} with the value every row should get`;
  return {
    label: 'give every row one constant (replace the placeholder)',
    yaml: `${yaml.trimEnd()}${comment}\n`,
  };
}

const NUMERIC_TYPES = new Set(['int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'money']);
const TYPED_PLACEHOLDERS: Readonly<Record<string, string>> = {
  bool: 'false',
  date: "DATE '1970-01-01'",
  time: "TIME '00:00:00'",
  timestamp: "TIMESTAMP '1970-01-01 00:00:00'",
  timestamptz: "TIMESTAMPTZ '1970-01-01 00:00:00+00'",
  uuid: "'00000000-0000-0000-0000-000000000000'::uuid",
  json: "'{}'::json",
  jsonb: "'{}'::jsonb",
};

/** A constant of the column's type, so the expression loads as is until someone replaces it. */
export function placeholderConstant(target: TargetColumn | undefined): string {
  if (target === undefined) return "'TODO'";
  if (target.baseType.endsWith('[]')) return "'{}'";
  if (NUMERIC_TYPES.has(target.baseType)) return '0';
  const typed = TYPED_PLACEHOLDERS[target.baseType];
  if (typed !== undefined) return typed;
  return target.maxLength !== undefined && target.maxLength < 4
    ? `'${'X'.repeat(target.maxLength)}'`
    : "'TODO'";
}
