// The agent protocol: what an agent is asked (AgentRequest) and what it may answer (AgentAnswer).
// Built-in agents and external commands speak the same protocol; external answers are parsed with
// these zod schemas, and schemas/agent-protocol.schema.json is generated from them.

import { z } from 'zod';

export const AGENT_PROTOCOL_VERSION = 1;

export const AgentRole = z.enum(['schema', 'mapping', 'planning', 'validation', 'guidance']);
export type AgentRole = z.infer<typeof AgentRole>;

const Name = z.object({ schema: z.string(), name: z.string() });

const CatalogColumn = z.object({
  name: z.string(),
  ordinal: z.number().int(),
  type: z.string().describe('The full type as the server prints it, e.g. character varying(32).'),
  baseType: z.string().describe('The type name without modifiers, e.g. varchar, int4, numeric.'),
  nullable: z.boolean(),
  default: z.string().optional(),
  identity: z.enum(['always', 'by default']).optional(),
  serial: z.boolean(),
  generated: z.boolean(),
  generationExpression: z.string().optional(),
  maxLength: z.number().int().optional(),
  precision: z.number().int().optional(),
  scale: z.number().int().optional(),
  unsigned: z.boolean().optional().describe('MySQL: an UNSIGNED integer or decimal.'),
  members: z.array(z.string()).optional().describe('MySQL: the members of an ENUM or SET, in order.'),
  charset: z.string().optional().describe('MySQL: the character set of a text column.'),
});

const CatalogTable = Name.extend({
  columns: z.array(CatalogColumn),
  primaryKey: z.array(z.string()).optional(),
  uniqueKeys: z.array(z.array(z.string())),
  foreignKeys: z.array(
    z.object({
      name: z.string(),
      columns: z.array(z.string()),
      referencedSchema: z.string(),
      referencedTable: z.string(),
      referencedColumns: z.array(z.string()),
      onDelete: z.enum(['no action', 'restrict', 'cascade', 'set null', 'set default']),
      deferrable: z.boolean(),
    }),
  ),
  checks: z.array(z.object({ name: z.string(), expression: z.string() })),
  rowEstimate: z.number().optional(),
  averageRowWidth: z.number().optional(),
  fingerprint: z.string(),
});

const Catalog = z.object({
  engine: z.enum(['postgres', 'mysql']),
  serverVersion: z.string(),
  tables: z.array(CatalogTable),
});

const DeclaredColumn = z.object({
  from: z.string().optional(),
  expr: z.string().optional(),
  ref: z.string().optional(),
  omit: z.literal(true).optional(),
});

/** One migration as agents see it: what the spec says, and what it leaves open. */
export const AgentMigration = z.object({
  name: z.string(),
  from: Name,
  to: Name,
  keys: z.enum(['preserve', 'generate']),
  class: z.enum(['catalog', 'transactional']).optional().describe('Set when the spec overrides it.'),
  declaredColumns: z.record(z.string(), DeclaredColumn).describe('Target column → what the spec says.'),
  openColumns: z.array(z.string()).describe('Target columns the spec leaves open, in table order.'),
  where: z.string().optional(),
});
export type AgentMigration = DeepReadonly<z.infer<typeof AgentMigration>>;

const Confidence = z.number().min(0).max(1).describe('0 to 1; below the project threshold it is a decision.');
const Reason = z.string().min(1).max(2000).describe('Why, in one sentence a reviewer can check.');

export const ColumnProposal = z.object({
  kind: z.literal('column'),
  migration: z.string(),
  column: z.string().describe('The target column.'),
  from: z.string().optional().describe('The source column copied as is (or cast by the target).'),
  expr: z.string().optional().describe('An SQL expression over source columns, when a plain copy is wrong.'),
  omit: z.literal(true).optional().describe('Leave the column to its default (a key the target generates).'),
  confidence: Confidence,
  reason: Reason,
});

export const ClassificationProposal = z.object({
  kind: z.literal('classification'),
  migration: z.string(),
  class: z.enum(['catalog', 'transactional']),
  shape: z.enum(['plain', 'junction', 'self-referencing']),
  confidence: Confidence,
  reason: Reason,
});

export const BatchProposal = z.object({
  kind: z.literal('batch'),
  migration: z.string(),
  size: z.number().int().min(1),
  parallelism: z.number().int().min(1).max(64),
  confidence: Confidence,
  reason: Reason,
});

/** Something a person must settle: the options, each with the exact YAML to paste into the spec. */
export const DecisionProposal = z.object({
  kind: z.literal('decision'),
  migration: z.string(),
  column: z.string().optional(),
  question: z.string().min(1).max(4000),
  options: z
    .array(z.object({ label: z.string().min(1).max(500), yaml: z.string().min(1).max(4000) }))
    .min(1)
    .max(20),
});

/** A mapping that works but may lose information (a lossy cast), with the YAML that makes it explicit. */
export const WarningProposal = z.object({
  kind: z.literal('warning'),
  migration: z.string(),
  column: z.string().optional(),
  message: z.string().min(1).max(4000),
  yaml: z.string().max(4000).optional(),
});

export const AgentRequest = z.object({
  protocol: z.literal(AGENT_PROTOCOL_VERSION),
  role: AgentRole.describe('What the agent is asked for; an agent may answer only the kinds of its role.'),
  minConfidence: Confidence.describe('Proposals below this are not applied: raise a decision instead.'),
  source: Catalog.describe('The source tables the migrations read (only those).'),
  target: Catalog.describe('The target tables the migrations write, and the tables they reference.'),
  migrations: z.array(AgentMigration),
  findings: z
    .array(DecisionProposal)
    .optional()
    .describe('For the guidance role: the decisions raised so far, to be put in plain language.'),
});
/** Agents read requests and never change them; readonly lets ferry pass its catalogs without copying. */
export type AgentRequest = DeepReadonly<z.infer<typeof AgentRequest>>;

type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export const Proposal = z.discriminatedUnion('kind', [
  ColumnProposal,
  ClassificationProposal,
  BatchProposal,
  DecisionProposal,
  WarningProposal,
]);
export type Proposal = z.infer<typeof Proposal>;
export type ColumnProposal = z.infer<typeof ColumnProposal>;
export type ClassificationProposal = z.infer<typeof ClassificationProposal>;
export type BatchProposal = z.infer<typeof BatchProposal>;
export type DecisionProposal = z.infer<typeof DecisionProposal>;
export type WarningProposal = z.infer<typeof WarningProposal>;

export const AgentAnswer = z.object({ proposals: z.array(Proposal).max(100_000) });
export type AgentAnswer = z.infer<typeof AgentAnswer>;

/** Proposal kinds each role may answer with. */
export const KINDS_BY_ROLE: Readonly<Record<AgentRole, readonly Proposal['kind'][]>> = {
  schema: ['classification', 'warning'],
  mapping: ['column', 'decision', 'warning'],
  planning: ['batch', 'warning'],
  validation: ['warning'],
  guidance: ['decision', 'warning'],
};

/** An agent: built in (a function) or external (a command behind the same interface). */
export interface Agent {
  readonly name: string;
  readonly role: AgentRole;
  run(request: AgentRequest): Promise<AgentAnswer>;
}
