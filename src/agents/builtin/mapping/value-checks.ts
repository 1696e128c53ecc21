// Code columns: `status_cd char(1)` cannot hold any of the words a target CHECK allows ('active',
// 'on_leave'), and `loc_cd` copied into an unbounded `location` would keep codes where names belong.

import type { Outcome } from './candidates.js';
import type { ColumnView, TableView } from './catalog-view.js';
import { sqlIdentifier } from './snippets.js';
import { typeFamily } from './type-families.js';
import { allowedValues } from './value-lists.js';

/** Codes are short; a target column without a length limit (or a longer one) suggests names. */
export function targetWantsNames(source: ColumnView, target: ColumnView): boolean {
  if (typeFamily(target) !== 'text' || target.maxLength === undefined) return true;
  return target.maxLength > Math.max(source.maxLength ?? 0, 3);
}

/** Every value the target allows is longer than anything the source column can hold. */
export function codeTranslationNeeded(table: TableView, target: ColumnView, source: ColumnView): boolean {
  const values = allowedValues(table, target.name);
  if (!values) return false;
  if (typeFamily(source) === 'text') {
    const length = source.maxLength;
    return length !== undefined && values.every((value) => value.length > length);
  }
  return values.every((value) => !/^-?\d+(\.\d+)?$/.test(value));
}

function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A CASE expression with one branch per allowed value; the reviewer fills in the legacy codes. */
export function askForCodes(table: TableView, target: ColumnView, source: ColumnView): Outcome {
  const values = allowedValues(table, target.name) ?? [];
  const branches = values.map((value) => `WHEN '?' THEN ${literal(value)}`).join(' ');
  const expr = `CASE ${sqlIdentifier(source.name)} ${branches} END`;
  const allowed = values.map(literal).join(', ');
  return {
    kind: 'ask',
    question: `${source.name} (${source.type}) holds codes, but ${target.name} only accepts ${allowed}: which code stands for which value?`,
    choices: [
      {
        label: `translate the codes of ${source.name} (replace each '?' with its legacy code)`,
        value: { expr },
      },
    ],
  };
}
