// The source side of doctor behind one seam, as for the catalog and the batch reader: each source
// engine brings its own checks (connection, catalog, read privileges, settings, size). The target is
// always PostgreSQL and has one set of checks (target-checks.ts).

import { mysqlSource } from './mysql-source.js';
import { postgresSource } from './postgres-source.js';
import type { CheckResult, DoctorScope } from './types.js';

export interface SourceReport {
  readonly checks: readonly CheckResult[];
  /** What the scoped source tables occupy, when the engine can say: what the target must take in. */
  readonly bytes?: number;
}

export interface SourceDialect {
  /** The engine, as the catalog names it. */
  readonly engine: string;
  /** Every check of a source of this engine; the connection's first, the rest only once connected. */
  check(url: string, scope: DoctorScope): Promise<SourceReport>;
}

const DIALECTS: Readonly<Record<string, SourceDialect>> = {
  'postgres:': postgresSource,
  'postgresql:': postgresSource,
  'mysql:': mysqlSource,
  'mariadb:': mysqlSource,
};

/** The dialect that checks a source at `url`, by its scheme; undefined for an engine doctor cannot check. */
export function sourceDialectOf(url: string): SourceDialect | undefined {
  try {
    return DIALECTS[new URL(url).protocol];
  } catch {
    return undefined;
  }
}
