// Which errors of a batch are the data's fault (a constraint or a value the target refuses): those
// pause the migration for a person to fix; anything else is an error of the run.

export interface Violation {
  readonly sqlstate: string;
  readonly message: string;
  readonly constraint?: string;
  readonly detail?: string;
  readonly table?: string;
  readonly column?: string;
}

/** Class 23 (integrity constraints) and class 22 (data exceptions: too long, overflow, bad input). */
export function asViolation(error: unknown): Violation | undefined {
  const e = error as {
    code?: unknown;
    message?: unknown;
    constraint?: unknown;
    detail?: unknown;
    table?: unknown;
    column?: unknown;
  };
  if (typeof e?.code !== 'string' || !/^2[23]/.test(e.code)) return undefined;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  return {
    sqlstate: e.code,
    message: text(e.message) ?? 'constraint violation',
    ...(text(e.constraint) ? { constraint: text(e.constraint) as string } : {}),
    ...(text(e.detail) ? { detail: text(e.detail) as string } : {}),
    ...(text(e.table) ? { table: text(e.table) as string } : {}),
    ...(text(e.column) ? { column: text(e.column) as string } : {}),
  };
}

/** A source row the target refused, by its source key (the batch key's values as text). */
export interface OffendingRow {
  readonly key: readonly string[];
  readonly sqlstate: string;
  readonly message: string;
  readonly constraint?: string;
  readonly detail?: string;
}

/**
 * A violation whose offending rows are already known (a ref without a migrated parent is found
 * set-based), so the runner need not bisect the batch to name them.
 */
export class BatchViolation extends Error {
  readonly violation: Violation;
  readonly offending: readonly OffendingRow[];

  constructor(violation: Violation, offending: readonly OffendingRow[]) {
    super(violation.message);
    this.name = 'BatchViolation';
    this.violation = violation;
    this.offending = offending;
  }
}
