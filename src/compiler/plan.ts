// The Plan: ferry's intermediate representation. Specs are compiled into it, agents add to it, and
// reports and the runner only read it. Plain readonly data: a saved plan file is this as JSON.

import type { SourceLocation } from '../errors.js';
import type { BatchSize, KeyStrategy, OnError, OnOrphan, QualifiedName, TableClass } from '../spec/types.js';

export const PLAN_FORMAT_VERSION = 1;

export type ColumnOrigin = { readonly kind: 'declared' };

export interface ColumnPlan {
  /** The target column. */
  readonly target: string;
  readonly from?: string;
  readonly expr?: string;
  /** The migration whose key mapping translates this value. */
  readonly ref?: string;
  readonly omit?: true;
  readonly origin: ColumnOrigin;
}

export interface MigrationNode {
  readonly name: string;
  readonly from: QualifiedName;
  readonly to: QualifiedName;
  readonly keys: KeyStrategy;
  readonly columns: readonly ColumnPlan[];
  readonly where?: string;
  readonly onError: OnError;
  readonly onOrphan: OnOrphan;
  readonly class?: TableClass;
  readonly batch: { readonly size: BatchSize; readonly key?: readonly string[] };
  /**
   * Columns loaded as NULL and filled in after the table is loaded: self-references, and references
   * that close a dependency cycle through a nullable column.
   */
  readonly fixups: readonly string[];
  readonly specHash: string;
  readonly location: SourceLocation;
}

export type EdgeKind = 'ref' | 'dependsOn' | 'foreignKey';

/** `parent` must be loaded before `child`. */
export interface DependencyEdge {
  readonly parent: string;
  readonly child: string;
  readonly kind: EdgeKind;
  /** The child's columns that reference the parent (ref and foreignKey edges). */
  readonly columns: readonly string[];
  /** True when every such column is nullable in the target: the edge may be broken by a fix-up. */
  readonly nullable: boolean;
}

export interface Plan {
  readonly formatVersion: typeof PLAN_FORMAT_VERSION;
  /** In layer order, then by name. */
  readonly migrations: readonly MigrationNode[];
  readonly edges: readonly DependencyEdge[];
  /** Topological generations: every migration's parents are in earlier layers. */
  readonly layers: readonly (readonly string[])[];
}
