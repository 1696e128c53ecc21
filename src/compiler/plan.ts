// The Plan: ferry's intermediate representation. Specs are compiled into it, agents add to it, and
// reports and the runner only read it. Plain readonly data: a saved plan file is this as JSON.

import type { SourceLocation } from '../errors.js';
import type {
  BatchSize,
  Incremental,
  KeyStrategy,
  OnError,
  OnOrphan,
  QualifiedName,
  TableClass,
} from '../spec/types.js';

export const PLAN_FORMAT_VERSION = 1;

/** Where a value of the plan comes from: the spec, or an agent's proposal (pinned in ferry.lock). */
export type Origin =
  | { readonly kind: 'declared' }
  | {
      readonly kind: 'inferred';
      readonly agent: string;
      readonly confidence: number;
      readonly reason: string;
    };

export type TableShape = 'plain' | 'junction' | 'self-referencing';

export interface Classification {
  readonly class: TableClass;
  readonly shape: TableShape;
  readonly origin: Origin;
}

/** Something a person must settle before apply; each option carries the YAML to paste into the spec. */
export interface PlanDecision {
  readonly migration: string;
  readonly column?: string;
  readonly question: string;
  readonly options: readonly { readonly label: string; readonly yaml: string }[];
  readonly agent: string;
}

export interface PlanWarning {
  readonly migration: string;
  readonly column?: string;
  readonly message: string;
  readonly yaml?: string;
  readonly agent: string;
}

export interface ColumnPlan {
  /** The target column. */
  readonly target: string;
  readonly from?: string;
  readonly expr?: string;
  /** The migration whose key mapping translates this value. */
  readonly ref?: string;
  readonly omit?: true;
  readonly origin: Origin;
  /** Where a declared column is written in its spec. */
  readonly location?: SourceLocation;
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
  /** Set once the plan is resolved against the databases and agents. */
  readonly classification?: Classification;
  readonly batch: {
    readonly size: BatchSize;
    readonly key?: readonly string[];
    readonly parallelism?: number;
    readonly origin?: Origin;
  };
  /** A later apply writes again the source rows whose cursor column grew since the previous one. */
  readonly incremental?: Incremental;
  /** The tables as introspected when the plan was resolved. */
  readonly tables?: {
    readonly source: { readonly fingerprint: string; readonly rowEstimate?: number };
    readonly target: { readonly fingerprint: string };
  };
  /**
   * Columns loaded as NULL and filled in after the table is loaded: self-references, and references
   * that close a dependency cycle through a nullable column.
   */
  readonly fixups: readonly string[];
  readonly specHash: string;
  readonly location: SourceLocation;
  readonly locations: {
    readonly from: SourceLocation;
    readonly to: SourceLocation;
    readonly batchKey?: SourceLocation;
    readonly cursor?: SourceLocation;
  };
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

/**
 * The zone the source's zone-less date/time values are read in, and every session of a run uses:
 * declared in the project file, or the source server's default TimeZone read by `plan` and pinned
 * in ferry.lock, so that a later change of the server's default changes nothing.
 */
export interface SourceTimeZone {
  readonly name: string;
  readonly origin: 'declared' | 'source-server';
  /** The source server's default TimeZone as `plan` read it this time; differs from a pin made earlier after a change. */
  readonly serverDefault: string;
  /** Mapped columns whose values the zone decides, in plan order. */
  readonly affectedColumns: readonly ZoneSensitiveColumn[];
}

/** A mapping whose written values depend on the session's TimeZone. */
export interface ZoneSensitiveColumn {
  readonly migration: string;
  readonly column: string;
  /** `timestamp → timestamptz`, `timestamptz → date`, `expression → timestamptz`, … */
  readonly conversion: string;
}

export interface Plan {
  readonly formatVersion: typeof PLAN_FORMAT_VERSION;
  /** In layer order, then by name. */
  readonly migrations: readonly MigrationNode[];
  readonly edges: readonly DependencyEdge[];
  /** Topological generations: every migration's parents are in earlier layers. */
  readonly layers: readonly (readonly string[])[];
  /** Pending decisions; `apply` refuses to run while there are any. Empty before resolution. */
  readonly decisions: readonly PlanDecision[];
  readonly warnings: readonly PlanWarning[];
  /** Set by `plan` against the databases; absent from a plan compiled from the specs alone. */
  readonly sourceTimeZone?: SourceTimeZone;
}
