// Synthetic catalogs for the mapping agent's pure tests: tables written as plain objects, with column
// types as PostgreSQL prints them (`character varying(20)`, `numeric(10,2)`) and the details derived.

import { parse } from 'yaml';
import {
  AGENT_PROTOCOL_VERSION,
  type AgentMigration,
  AgentRequest,
  type DecisionProposal,
  type Proposal,
  type WarningProposal,
} from '../../src/agents/protocol.js';
import type { Catalog, CatalogColumn, CatalogForeignKey, CatalogTable } from '../../src/catalog/types.js';

export interface ColumnOptions {
  readonly notNull?: boolean;
  readonly default?: string;
  readonly identity?: boolean;
  readonly generated?: string;
}

/** `[name, type]` or `[name, type, options]`. */
export type ColumnSketch = readonly [string, string] | readonly [string, string, ColumnOptions];

export interface TableSketch {
  readonly name: string;
  readonly columns: readonly ColumnSketch[];
  readonly primaryKey?: readonly string[];
  /** Column → `schema.table(column)`. */
  readonly references?: Readonly<Record<string, string>>;
  readonly checks?: readonly string[];
}

const BASE_TYPES: Readonly<Record<string, string>> = {
  smallint: 'int2',
  integer: 'int4',
  bigint: 'int8',
  boolean: 'bool',
  'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamptz',
  'character varying': 'varchar',
  character: 'bpchar',
  'double precision': 'float8',
};

function typeDetails(type: string): Pick<CatalogColumn, 'baseType' | 'maxLength' | 'precision' | 'scale'> {
  const match = /^([a-z ]+?)(?:\((\d+)(?:,(\d+))?\))?$/.exec(type);
  const name = match?.[1] ?? type;
  const baseType = BASE_TYPES[name] ?? name;
  const first = match?.[2] === undefined ? undefined : Number(match[2]);
  const second = match?.[3] === undefined ? undefined : Number(match[3]);
  if (first === undefined) return { baseType };
  if (baseType === 'numeric') return { baseType, precision: first, scale: second ?? 0 };
  return { baseType, maxLength: first };
}

function column(sketch: ColumnSketch, ordinal: number): CatalogColumn {
  const [name, type, options = {}] = sketch;
  return {
    name,
    ordinal,
    type,
    ...typeDetails(type),
    nullable: options.notNull !== true && options.identity !== true,
    ...(options.default === undefined ? {} : { default: options.default }),
    ...(options.identity ? { identity: 'by default' as const } : {}),
    serial: false,
    generated: options.generated !== undefined,
    ...(options.generated === undefined ? {} : { generationExpression: options.generated }),
  };
}

function foreignKey(table: string, columnName: string, reference: string): CatalogForeignKey {
  const match = /^(\w+)\.(\w+)\((\w+)\)$/.exec(reference);
  if (!match) throw new Error(`write references as schema.table(column): ${reference}`);
  const [, referencedSchema = '', referencedTable = '', referencedColumn = ''] = match;
  return {
    name: `${table}_${columnName}_fkey`,
    columns: [columnName],
    referencedSchema,
    referencedTable,
    referencedColumns: [referencedColumn],
    onDelete: 'no action',
    deferrable: false,
  };
}

export function table(schema: string, sketch: TableSketch): CatalogTable {
  return {
    schema,
    name: sketch.name,
    columns: sketch.columns.map((c, i) => column(c, i + 1)),
    ...(sketch.primaryKey ? { primaryKey: sketch.primaryKey } : {}),
    uniqueKeys: [],
    foreignKeys: Object.entries(sketch.references ?? {}).map(([c, ref]) => foreignKey(sketch.name, c, ref)),
    checks: (sketch.checks ?? []).map((expression, i) => ({ name: `${sketch.name}_check${i}`, expression })),
    fingerprint: `sha256:${schema}.${sketch.name}`,
  };
}

export function catalog(schema: string, tables: readonly TableSketch[]): Catalog {
  return { engine: 'postgres', serverVersion: '17.0', tables: tables.map((t) => table(schema, t)) };
}

/** A migration leaving every target column open unless told otherwise. */
export function migration(
  name: string,
  from: string,
  to: string,
  target: Catalog,
  extra: Partial<Pick<AgentMigration, 'keys' | 'declaredColumns' | 'openColumns'>> = {},
): AgentMigration {
  const [fromSchema = '', fromName = ''] = from.split('.');
  const [toSchema = '', toName = ''] = to.split('.');
  const table = target.tables.find((t) => t.schema === toSchema && t.name === toName);
  const declared = extra.declaredColumns ?? {};
  return {
    name,
    from: { schema: fromSchema, name: fromName },
    to: { schema: toSchema, name: toName },
    keys: extra.keys ?? 'preserve',
    declaredColumns: declared,
    openColumns:
      extra.openColumns ??
      (table?.columns ?? [])
        .map((c) => c.name)
        .filter((c) => declared[c] === undefined || isRefOnly(declared[c])),
  };
}

function isRefOnly(declared: AgentMigration['declaredColumns'][string] | undefined): boolean {
  return declared?.ref !== undefined && declared.from === undefined && declared.expr === undefined;
}

export function request(
  source: Catalog,
  target: Catalog,
  migrations: readonly AgentMigration[],
  minConfidence = 0.8,
): AgentRequest {
  return AgentRequest.parse({
    protocol: AGENT_PROTOCOL_VERSION,
    role: 'mapping',
    minConfidence,
    source,
    target,
    migrations,
  });
}

/** One line per proposal, easy to compare exactly: `column ← from (0.9)`, `decision column`, … */
export function summarize(proposals: readonly Proposal[]): string[] {
  return proposals.map((p) => {
    switch (p.kind) {
      case 'column': {
        const value = p.from ?? (p.expr === undefined ? 'omit' : `expr ${p.expr}`);
        return `${p.migration}.${p.column} ← ${value} (${p.confidence})`;
      }
      case 'decision':
        return `decision ${p.migration}.${p.column ?? ''}`;
      case 'warning':
        return `warning ${p.migration}.${p.column ?? ''}`;
      default:
        return `${p.kind} ${p.migration}`;
    }
  });
}

export function decisions(proposals: readonly Proposal[]): DecisionProposal[] {
  return proposals.filter((p): p is DecisionProposal => p.kind === 'decision');
}

export function warnings(proposals: readonly Proposal[]): WarningProposal[] {
  return proposals.filter((p): p is WarningProposal => p.kind === 'warning');
}

/** What pasting the YAML puts in the spec: compared as data, whatever quoting the YAML writer chose. */
export function pasted(yaml: string | undefined): unknown {
  return yaml === undefined ? undefined : parse(yaml);
}

/** A decision with each option's YAML read as data. */
export function readable(decision: DecisionProposal | undefined) {
  return { ...decision, options: decision?.options.map((o) => ({ label: o.label, yaml: pasted(o.yaml) })) };
}
