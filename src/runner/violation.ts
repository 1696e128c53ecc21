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
