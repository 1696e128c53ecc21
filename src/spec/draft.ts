// Drafts spec files for `ferry init` from what the agents matched: one migration per target table,
// with the column mappings a reviewer should see written out and every uncertain part left as a
// commented decision with the options to uncomment. Pure: catalogs and proposals in, files out.

import { stringify } from 'yaml';
import type { Proposal } from '../agents/protocol.js';
import { columnEntry } from './column-yaml.js';
import { formatQualifiedName } from './qualified-name.js';
import type { QualifiedName } from './types.js';

export interface DraftMigration {
  readonly name: string;
  readonly from: QualifiedName;
  readonly to: QualifiedName;
  /** Why this source table was matched, and how sure the match is. */
  readonly match: { readonly confidence: number; readonly reason: string };
  /** The mapping agent's proposals for this migration. */
  readonly proposals: readonly Proposal[];
  /** Target column → the drafted migration its foreign key references, so the graph shows offline. */
  readonly references: Readonly<Record<string, string>>;
  readonly minConfidence: number;
}

export interface DraftFile {
  readonly name: string;
  readonly text: string;
}

const MODELINE = '# yaml-language-server: $schema=../schemas/spec.schema.json';

/** A migration name (lower snake case) for a target table; unique among `taken`. */
export function migrationNameFor(table: QualifiedName, taken: ReadonlySet<string>): string {
  const base = table.name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const name = /^[a-z]/.test(base) ? base : `t_${base || 'table'}`;
  if (!taken.has(name)) return name.slice(0, 63);
  const qualified = `${table.schema.toLowerCase().replace(/[^a-z0-9]+/g, '_')}_${name}`.slice(0, 63);
  let candidate = qualified;
  for (let i = 2; taken.has(candidate); i++) candidate = `${qualified.slice(0, 60)}_${i}`;
  return candidate;
}

export function draftProjectFile(options: {
  sourceSchema?: string;
  targetSchema?: string;
  unmatched: readonly QualifiedName[];
}): DraftFile {
  const lines = [
    MODELINE,
    '# The project: where rows are read from and written to. The URLs come from the environment only.',
    'version: 1',
    'source:',
    '  url: ${env:FERRY_SOURCE_URL}',
    ...(options.sourceSchema ? [`  schema: ${yamlScalar(options.sourceSchema)}`] : []),
    'target:',
    '  url: ${env:FERRY_TARGET_URL}',
    ...(options.targetSchema ? [`  schema: ${yamlScalar(options.targetSchema)}`] : []),
    'defaults:',
    '  batchSize: auto',
    '  onError: pause',
    'agents: [schema, mapping, planning]',
  ];
  if (options.unmatched.length > 0) {
    lines.push(
      '',
      '# Target tables no source table was matched to; write a migration for each one that needs data:',
      ...options.unmatched.map((t) => `#   ${formatQualifiedName(t)}`),
    );
  }
  return { name: 'ferry.yaml', text: `${lines.join('\n')}\n` };
}

export function draftMigrationFile(draft: DraftMigration): DraftFile {
  const explicit: string[] = [];
  const commented: string[] = [];
  const withRef = (column: string, value: Record<string, string | boolean>) => {
    const ref = draft.references[column];
    return ref === undefined ? value : { ...value, ref };
  };
  const written = new Set<string>();
  for (const proposal of draft.proposals) {
    if (proposal.kind === 'column' && proposal.confidence >= draft.minConfidence) {
      written.add(proposal.column);
      // A same-name copy is what `ferry plan` infers anyway; only its reference is worth writing.
      const sameName = proposal.from === proposal.column && proposal.expr === undefined;
      if (sameName && draft.references[proposal.column] === undefined) continue;
      const value = sameName ? {} : columnValue(proposal);
      explicit.push(
        `  ${columnEntry(proposal.column, withRef(proposal.column, value))}  # ${proposal.reason}`,
      );
    } else if (proposal.kind === 'column') {
      commented.push(
        `  # ${proposal.column}: only ${proposal.confidence.toFixed(2)} sure (${proposal.reason}); uncomment if right:`,
        `  # ${columnEntry(proposal.column, withRef(proposal.column, columnValue(proposal)))}`,
      );
    } else if (proposal.kind === 'decision') {
      commented.push(`  # Decide: ${oneLine(proposal.question)}`);
      for (const option of proposal.options) {
        commented.push(`  #   ${option.label}:`, ...optionLines(option.yaml).map((l) => `  # ${l}`));
      }
    } else if (proposal.kind === 'warning') {
      commented.push(
        `  # Note${proposal.column ? ` on ${proposal.column}` : ''}: ${oneLine(proposal.message)}`,
      );
    }
  }
  for (const [column, ref] of Object.entries(draft.references)) {
    const decided = draft.proposals.some((p) => 'column' in p && p.column === column);
    if (!written.has(column) && !decided)
      explicit.push(`  ${columnEntry(column, { ref })}  # its foreign key references ${ref}`);
  }
  const lines = [
    MODELINE,
    `# Drafted by ferry init: ${formatQualifiedName(draft.from)} → ${formatQualifiedName(draft.to)}`,
    `# (table match ${draft.match.confidence.toFixed(2)}: ${oneLine(draft.match.reason)}).`,
    '# Columns left out are inferred by `ferry plan` and pinned in ferry.lock for review.',
    `migration: ${draft.name}`,
    `from: ${yamlScalar(formatQualifiedName(draft.from))}`,
    `to: ${yamlScalar(formatQualifiedName(draft.to))}`,
  ];
  if (explicit.length > 0) lines.push('columns:', ...explicit, ...commented);
  else if (commented.length > 0) lines.push('# columns:', ...commented);
  return { name: `${draft.name}.yaml`, text: `${lines.join('\n')}\n` };
}

function columnValue(proposal: Extract<Proposal, { kind: 'column' }>): Record<string, string | boolean> {
  if (proposal.omit) return { omit: true };
  if (proposal.expr !== undefined) return { expr: proposal.expr };
  return { from: proposal.from ?? '' };
}

/** The lines under `columns:` of an option's YAML, so they can be uncommented in place. */
function optionLines(yaml: string): string[] {
  const lines = yaml.trimEnd().split('\n');
  return lines[0]?.trim() === 'columns:' ? lines.slice(1) : lines.map((l) => `  ${l}`);
}

function yamlScalar(text: string): string {
  return stringify(text, { lineWidth: 0 }).trim();
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
