// What `verify` finds per migration: plain readonly data that the CLI renders as a table and prints
// as `--json`, so scripts read exactly what people see.

/**
 * `ok` and `mismatch` for done migrations, `error` when the comparison itself failed (a value the
 * source cannot compute); otherwise the phase that keeps the migration from being done.
 */
export type VerifyStatus =
  | 'ok'
  | 'mismatch'
  | 'error'
  | 'not applied'
  | 'pending'
  | 'loading'
  | 'fixup'
  | 'paused'
  | 'failed';

/** One row that differs, named by its source key (the batch key's values as the source prints them). */
export type RowProblem =
  /** In the source (after `where`, not rejected), not in the target. */
  | { readonly kind: 'missing'; readonly key: readonly string[] }
  /** In the target under a source key the source does not migrate. */
  | { readonly kind: 'extra'; readonly key: readonly string[]; readonly copies: number }
  /** The target holds the source row more than once. */
  | { readonly kind: 'duplicate'; readonly key: readonly string[]; readonly copies: number }
  /** The row is there, but these columns hold other values than the source maps to. */
  | {
      readonly kind: 'changed';
      readonly key: readonly string[];
      readonly columns: readonly ColumnDifference[];
    }
  /**
   * keys: generate: a target row without a key mapping, named by its target key; `copyOf` is the
   * source key of a mapped row with the same values, when there is one.
   */
  | {
      readonly kind: 'unmapped';
      readonly targetKey: readonly string[] | null;
      readonly copyOf?: readonly string[];
    };

export type RowProblemKind = RowProblem['kind'];

export interface ColumnDifference {
  readonly column: string;
  /** The value the source maps to, as text (null for SQL NULL). */
  readonly source: string | null;
  readonly target: string | null;
}

/** Rows of the migration's target table whose foreign key finds no parent row. */
export interface OrphanFinding {
  readonly constraint: string;
  readonly columns: readonly string[];
  /** The referenced table, schema-qualified. */
  readonly references: string;
  readonly rows: number;
  /** The first orphans: their source key where it can be told, else the target's primary key. */
  readonly first: readonly {
    readonly key: readonly string[] | null;
    readonly targetKey: readonly string[] | null;
    readonly values: readonly (string | null)[];
  }[];
}

/**
 * A column whose default draws from a sequence that would hand out a value at or below the largest
 * one the column holds: the next insert relying on the default may collide with a migrated row.
 */
export interface SequenceFinding {
  /** The target table, schema-qualified. */
  readonly table: string;
  readonly column: string;
  /** The sequence, schema-qualified. */
  readonly sequence: string;
  /** What nextval would return next. */
  readonly next: string;
  /** The largest value in the column (the smallest, for a descending sequence). */
  readonly largest: string;
}

/** A target column the check could not compare, and why. */
export interface UncheckedColumn {
  readonly column: string;
  readonly reason: string;
}

export interface MigrationVerdict {
  readonly migration: string;
  readonly status: VerifyStatus;
  /** The source key's column names: RowProblem keys are their values in this order. */
  readonly keyColumns: readonly string[];
  /** Source rows that pass the migration's `where`. */
  readonly sourceRows: number;
  /** Rows apply set aside on purpose: found among the source rows (rejected) and recorded (skipped). */
  readonly rejected: number;
  readonly skipped: number;
  /** sourceRows − rejected − skipped: what the target should hold. Null when not applied. */
  readonly expectedRows: number | null;
  readonly targetRows: number;
  /** Written columns whose values were compared row by row (or, unlocated, table-wide). */
  readonly checkedColumns: readonly string[];
  readonly uncheckedColumns: readonly UncheckedColumn[];
  /** False when target rows cannot be matched to source rows (the batch key is an expression). */
  readonly located: boolean;
  /** How many rows differ, by kind, over every segment examined. */
  readonly counts: Readonly<Partial<Record<RowProblemKind, number>>>;
  /** The first rows that differ (at most 20), by source key. */
  readonly rows: readonly RowProblem[];
  readonly orphans: readonly OrphanFinding[];
  /** Sequences behind the values ferry wrote into their columns (see SequenceFinding). */
  readonly sequences: readonly SequenceFinding[];
  /** Problems that name no row: a count that differs, a column that differs table-wide. */
  readonly problems: readonly string[];
  /** What was not checked or was accepted, and why: skipped rows, orphans set to NULL. */
  readonly notes: readonly string[];
}

export interface VerifyResult {
  /** True when every selected migration is done and holds exactly what the source says. */
  readonly ok: boolean;
  readonly migrations: readonly MigrationVerdict[];
}
