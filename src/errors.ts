// Diagnostics and the one error family of ferry. Every problem a user can cause is a Diagnostic with a
// stable code, a message, an optional source location and a hint; the CLI maps codes to exit codes
// and never shows a stack trace for them.

/** Stable codes, each explained in docs/troubleshooting.md. Never renamed once released. */
export const ERROR_CODES = [
  'spec.dir-missing',
  'spec.no-project',
  'spec.project-duplicate',
  'spec.read',
  'spec.too-large',
  'spec.binary',
  'spec.encoding',
  'spec.empty',
  'spec.syntax',
  'spec.duplicate-key',
  'spec.alias-limit',
  'spec.schema',
  'spec.unknown-key',
  'spec.missing-key',
  'spec.env-unset',
  'spec.env-syntax',
  'spec.secret-literal',
  'spec.time-zone',
  'spec.table-name',
  'spec.identifier',
  'spec.column-source',
  'spec.expression',
  'spec.duplicate-migration',
  'spec.duplicate-target',
  'spec.unknown-ref',
  'spec.unknown-dependency',
  'graph.cycle',
  'graph.self-reference',
  'select.syntax',
  'select.unknown',
  'select.no-base-lock',
  'select.base-lock',
  'connection.failed',
  'connection.unsupported',
  'connection.tls',
  'connection.time-zone',
  'catalog.unknown-table',
  'catalog.unknown-column',
  'catalog.expression',
  'init.exists',
  'plan.out-file',
  'apply.decisions-pending',
  'apply.unsupported',
  'apply.options',
  'apply.no-key',
  'apply.bulk-not-empty',
  'apply.bulk-restore-failed',
  'apply.plan-file',
  'apply.plan-stale',
  'apply.batch-refused',
  'rollback.referenced',
  'rollback.unsupported',
  'rollback.bulk-pending',
  'rollback.failed',
  'rollback.finalized',
  'verify.applying',
  'verify.decisions-pending',
  'finalize.verify-failed',
  'finalize.export-failed',
  'lock.invalid',
  'lock.stale',
  'diff.plan-file',
  'report.events-file',
  'agent.crashed',
  'agent.timeout',
  'agent.output-too-large',
  'agent.invalid-answer',
  'agent.unknown-name',
  'state.too-new',
  'state.locked',
  'state.lock-lost',
  'state.ranges-changed',
  'state.lease-lost',
  'state.drop-bulk-pending',
  'state.drop-dependents',
  'demo.server',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export type Severity = 'error' | 'warning';

export interface SourceLocation {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

export interface Diagnostic {
  readonly severity: Severity;
  readonly code: ErrorCode;
  readonly message: string;
  readonly hint?: string;
  readonly location?: SourceLocation;
}

/** A failure ferry explains to the user; it carries one or more diagnostics. */
export class FerryError extends Error {
  readonly code: ErrorCode;
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: Diagnostic | readonly Diagnostic[]) {
    const list = Array.isArray(diagnostics) ? diagnostics : [diagnostics as Diagnostic];
    const first = list[0];
    if (!first) throw new TypeError('FerryError needs at least one diagnostic');
    super(first.message);
    this.name = 'FerryError';
    this.code = first.code;
    this.diagnostics = list;
  }
}

/** Builds an error diagnostic; the spread keeps absent optional fields absent rather than undefined. */
export function errorDiagnostic(
  code: ErrorCode,
  message: string,
  options: { hint?: string | undefined; location?: SourceLocation | undefined } = {},
): Diagnostic {
  return {
    severity: 'error',
    code,
    message,
    ...(options.hint === undefined ? {} : { hint: options.hint }),
    ...(options.location === undefined ? {} : { location: options.location }),
  };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Orders diagnostics by file, line and column so output is stable whatever order checks ran in. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => {
    const fa = a.location?.file ?? '';
    const fb = b.location?.file ?? '';
    if (fa !== fb) return fa < fb ? -1 : 1;
    const byLine = (a.location?.line ?? 0) - (b.location?.line ?? 0);
    if (byLine !== 0) return byLine;
    return (a.location?.column ?? 0) - (b.location?.column ?? 0);
  });
}
