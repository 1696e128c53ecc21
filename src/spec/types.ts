// The typed form of the spec language (schemas/spec.schema.json is its source of truth). The loader
// produces these after YAML parsing, environment interpolation and validation; nothing downstream
// reads YAML.

import type { SourceLocation } from '../errors.js';

export type KeyStrategy = 'preserve' | 'generate';
export type OnError = 'pause' | 'reject';
export type OnOrphan = 'fail' | 'skip' | 'null';
export type TableClass = 'catalog' | 'transactional';
export type BatchSize = 'auto' | number;
export type BuiltinAgentName = 'schema' | 'mapping' | 'planning' | 'validation' | 'guidance';

export interface QualifiedName {
  readonly schema: string;
  readonly name: string;
}

export interface ColumnSpec {
  readonly from?: string;
  readonly expr?: string;
  readonly ref?: string;
  readonly omit?: true;
  readonly location: SourceLocation;
}

export interface Incremental {
  /** The source column that grows whenever a row changes (updated_at). */
  readonly cursor: string;
}

export interface MigrationSpec {
  readonly name: string;
  readonly from: QualifiedName;
  readonly to: QualifiedName;
  readonly keys: KeyStrategy;
  /** Target column name → where its value comes from, in the order the spec lists them. */
  readonly columns: ReadonlyMap<string, ColumnSpec>;
  readonly where?: string;
  readonly dependsOn: readonly string[];
  readonly onOrphan: OnOrphan;
  readonly onError: OnError;
  readonly class?: TableClass;
  readonly batch: { readonly size: BatchSize; readonly key?: readonly string[] };
  /** A later apply writes again the rows whose cursor column grew since the previous one. */
  readonly incremental?: Incremental;
  /** Where the document starts, for messages that concern the whole migration. */
  readonly location: SourceLocation;
  /** Where `from`, `to` and `batch.key` are written, for messages about the tables they name. */
  readonly locations: {
    readonly from: SourceLocation;
    readonly to: SourceLocation;
    readonly batchKey?: SourceLocation;
    readonly cursor?: SourceLocation;
  };
  /** SHA-256 of the migration's document as written (before environment interpolation). */
  readonly hash: string;
}

export interface ExternalAgentSpec {
  readonly name: string;
  readonly command: readonly string[];
  /** The roles the agent is asked for, in the order agents run. */
  readonly roles: readonly BuiltinAgentName[];
  readonly timeoutSeconds: number;
}

export type AgentSpec = { readonly builtin: BuiltinAgentName } | { readonly external: ExternalAgentSpec };

export interface ConnectionSpec {
  /**
   * Interpolated from the environment; never printed (see maskUrl). Loaded offline with the variable
   * unset, it is the reference as written (`${env:NAME}`).
   */
  readonly url: string;
  readonly schema: string;
}

export interface DeclaredTimeZone {
  readonly name: string;
  readonly location: SourceLocation;
}

export interface ProjectSpec {
  readonly version: 1;
  readonly source: ConnectionSpec;
  readonly target: ConnectionSpec;
  readonly defaults: {
    readonly batchSize: BatchSize;
    readonly keys: KeyStrategy;
    readonly onError: OnError;
    readonly onOrphan: OnOrphan;
  };
  readonly agents: readonly AgentSpec[];
  /** `sourceTimeZone` as declared (an IANA name); absent when `plan` reads the source server's. */
  readonly sourceTimeZone?: DeclaredTimeZone;
  /** The environment variables the connection URLs are read from: never passed to external agents. */
  readonly connectionVariables: readonly string[];
  readonly location: SourceLocation;
}

/** Every spec of a project, as loaded from one directory. */
export interface SpecSet {
  readonly directory: string;
  readonly project: ProjectSpec;
  /** In file order, then document order. */
  readonly migrations: readonly MigrationSpec[];
}
