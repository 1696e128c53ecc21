// Checks an agent's answer against the request it answered: only the proposal kinds of its role, and
// only migrations, tables and columns the request contains. Built-in and external agents alike, so
// nothing an agent proposes reaches the plan without passing here.

import { type Diagnostic, errorDiagnostic } from '../errors.js';
import { findInvalidExpression } from '../spec/expression.js';
import { formatQualifiedName } from '../spec/qualified-name.js';
import { didYouMean } from '../spec/suggest.js';
import {
  type AgentAnswer,
  type AgentMigration,
  type AgentRequest,
  type AgentRole,
  KINDS_BY_ROLE,
  type Proposal,
} from './protocol.js';

/** More diagnostics than this for one answer are summarized: a broken agent is broken, not 10 000 times. */
const MAX_DIAGNOSTICS = 20;

/** Names longer than this are cut in messages: an agent's strings are not trusted to be short. */
const MAX_NAME_LENGTH = 80;

type Catalog = AgentRequest['source'];
type CatalogTable = Catalog['tables'][number];

/** How messages name an agent: "agent `llm` (mapping)". */
export function describeAgent(agentName: string, role: AgentRole): string {
  return `agent ${quote(agentName)} (${role})`;
}

/** A name from an agent's answer, quoted for a message, without control characters and cut if long. */
export function quote(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const printable = name.replace(/[\u0000-\u001f\u007f]/g, '?');
  const cut = printable.length > MAX_NAME_LENGTH ? `${printable.slice(0, MAX_NAME_LENGTH)}…` : printable;
  return `\`${cut}\``;
}

/**
 * Checks every proposal of an answer against the request: its kind is one the role may answer (see
 * KINDS_BY_ROLE), its migration is in the request, and every column it names exists (target columns
 * in the migration's target table, `from` in its source table). Returns the problems as diagnostics
 * (`agent.invalid-answer`, `agent.unknown-name`), in proposal order; an empty list means the answer
 * may be used.
 *
 * @example
 * const problems = checkProposals('mapping', 'mapping', request, answer);
 * if (problems.length > 0) throw new FerryError(problems);
 */
export function checkProposals(
  agentName: string,
  role: AgentRole,
  request: AgentRequest,
  answer: AgentAnswer,
): Diagnostic[] {
  const context: CheckContext = {
    agent: describeAgent(agentName, role),
    role,
    migrations: new Map(request.migrations.map((migration) => [migration.name, migration])),
    sourceTables: indexTables(request.source),
    targetTables: indexTables(request.target),
  };
  const diagnostics: Diagnostic[] = [];
  answer.proposals.forEach((proposal, index) => {
    diagnostics.push(...checkProposal(context, proposal, `proposals[${index}]`));
  });
  return summarize(context.agent, diagnostics);
}

/**
 * An agent's `expr` is spliced into SQL as a spec's is, so it must be exactly one expression by
 * PostgreSQL's parser too (an answer such as `1); DROP TABLE x; --` is refused, whole). Async: it
 * loads the parser; checkProposals checks everything else.
 */
export async function checkProposalExpressions(
  agentName: string,
  role: AgentRole,
  answer: AgentAnswer,
): Promise<Diagnostic[]> {
  const agent = describeAgent(agentName, role);
  const diagnostics: Diagnostic[] = [];
  for (const [index, proposal] of answer.proposals.entries()) {
    if (proposal.kind !== 'column' || proposal.expr === undefined) continue;
    const bad = await findInvalidExpression([{ subject: `proposals[${index}]`, text: proposal.expr }]);
    if (!bad) continue;
    diagnostics.push(
      errorDiagnostic(
        'agent.invalid-answer',
        `${agent}: ${bad.subject} (column ${quote(proposal.column)} of migration ${quote(proposal.migration)}) has an expr that is not one SQL expression: ${bad.problem}`,
        { hint: 'an expr is one SQL scalar expression over source columns, e.g. "amount_cents / 100.0"' },
      ),
    );
  }
  return summarize(agent, diagnostics);
}

interface CheckContext {
  readonly agent: string;
  readonly role: AgentRole;
  readonly migrations: ReadonlyMap<string, AgentMigration>;
  readonly sourceTables: ReadonlyMap<string, CatalogTable>;
  readonly targetTables: ReadonlyMap<string, CatalogTable>;
}

function checkProposal(context: CheckContext, proposal: Proposal, path: string): Diagnostic[] {
  const allowed = KINDS_BY_ROLE[context.role];
  if (!allowed.includes(proposal.kind)) {
    return [
      errorDiagnostic(
        'agent.invalid-answer',
        `${context.agent}: ${path} is a ${proposal.kind} proposal, which the ${context.role} role may not make`,
        { hint: `a ${context.role} agent may answer with ${allowed.join(', ')} proposals` },
      ),
    ];
  }
  const migration = context.migrations.get(proposal.migration);
  if (!migration) {
    const names = [...context.migrations.keys()];
    return [
      errorDiagnostic(
        'agent.unknown-name',
        `${context.agent}: ${path} is for migration ${quote(proposal.migration)}, which is not in the request`,
        { hint: didYouMean(proposal.migration, names, `the request's migrations are ${listNames(names)}`) },
      ),
    ];
  }
  if (proposal.kind === 'column') return checkColumnProposal(context, migration, proposal, path);
  if ((proposal.kind === 'decision' || proposal.kind === 'warning') && proposal.column !== undefined) {
    return checkTargetColumn(context, migration, proposal.column, path);
  }
  return [];
}

function checkColumnProposal(
  context: CheckContext,
  migration: AgentMigration,
  proposal: Extract<Proposal, { kind: 'column' }>,
  path: string,
): Diagnostic[] {
  const given = [proposal.from, proposal.expr, proposal.omit].filter((value) => value !== undefined);
  if (given.length !== 1) {
    return [
      errorDiagnostic(
        'agent.invalid-answer',
        `${context.agent}: ${path} (column ${quote(proposal.column)} of migration ${quote(migration.name)}) must have exactly one of from, expr or omit`,
        {
          hint: 'a column proposal copies a source column (from), computes it (expr) or leaves it out (omit)',
        },
      ),
    ];
  }
  const target = checkTargetColumn(context, migration, proposal.column, path);
  if (target.length > 0 || proposal.from === undefined) return target;
  return checkSourceColumn(context, migration, proposal.column, proposal.from, path);
}

function checkTargetColumn(
  context: CheckContext,
  migration: AgentMigration,
  column: string,
  path: string,
): Diagnostic[] {
  const table = context.targetTables.get(tableKey(migration.to));
  const tableName = formatQualifiedName(migration.to);
  if (!table) return [missingTable(context, migration, 'target', tableName, path)];
  const names = table.columns.map((c) => c.name);
  if (names.includes(column)) return [];
  return [
    errorDiagnostic(
      'agent.unknown-name',
      `${context.agent}: ${path} names target column ${quote(column)} of migration ${quote(migration.name)}, but ${tableName} has no such column`,
      { hint: didYouMean(column, names, `the columns of ${tableName} are ${listNames(names)}`) },
    ),
  ];
}

function checkSourceColumn(
  context: CheckContext,
  migration: AgentMigration,
  column: string,
  from: string,
  path: string,
): Diagnostic[] {
  const table = context.sourceTables.get(tableKey(migration.from));
  const tableName = formatQualifiedName(migration.from);
  if (!table) return [missingTable(context, migration, 'source', tableName, path)];
  const names = table.columns.map((c) => c.name);
  if (names.includes(from)) return [];
  return [
    errorDiagnostic(
      'agent.unknown-name',
      `${context.agent}: ${path} maps column ${quote(column)} of migration ${quote(migration.name)} from ${quote(from)}, but the source table ${tableName} has no such column`,
      { hint: didYouMean(from, names, `the columns of ${tableName} are ${listNames(names)}`) },
    ),
  ];
}

/** The request lacks the table itself; a proposal naming its columns cannot be checked, so it is refused. */
function missingTable(
  context: CheckContext,
  migration: AgentMigration,
  side: 'source' | 'target',
  tableName: string,
  path: string,
): Diagnostic {
  return errorDiagnostic(
    'agent.unknown-name',
    `${context.agent}: ${path} names a column of migration ${quote(migration.name)}, but its ${side} table ${tableName} is not in the request`,
    { hint: `an agent may only name columns of the tables in the request's ${side} catalog` },
  );
}

function summarize(agent: string, diagnostics: Diagnostic[]): Diagnostic[] {
  const rest = diagnostics.slice(MAX_DIAGNOSTICS);
  const first = rest[0];
  if (!first) return diagnostics;
  return [
    ...diagnostics.slice(0, MAX_DIAGNOSTICS),
    errorDiagnostic(first.code, `${agent}: ${rest.length} more proposals are wrong`, {
      hint: 'fix the ones above first; the others are likely wrong for the same reason',
    }),
  ];
}

function indexTables(catalog: Catalog): Map<string, CatalogTable> {
  return new Map(catalog.tables.map((table) => [tableKey(table), table]));
}

function tableKey(name: { readonly schema: string; readonly name: string }): string {
  return JSON.stringify([name.schema, name.name]);
}

function listNames(names: readonly string[]): string {
  if (names.length === 0) return 'none';
  const shown = names.slice(0, 10).map(quote).join(', ');
  return names.length > 10 ? `${shown} and ${names.length - 10} more` : shown;
}
