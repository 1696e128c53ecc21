// The check runner: each check is a small function of a session and the scope returning a finding;
// the runner gives it its id and title and turns an unexpected error into a failed check, so one
// broken check never hides the others.

import type pg from 'pg';
import type { DatabaseRole } from '../db/postgres.js';
import { FerryError } from '../errors.js';
import { type CheckResult, type DoctorScope, type Finding, fail } from './types.js';

/** A connected database as the checks of one side see it. */
export interface Session {
  readonly side: DatabaseRole;
  readonly client: pg.Client;
  /** The role the URL logs in as (current_user): the one every fix grants to. */
  readonly user: string;
  readonly database: string;
  /** server_version_num: 150020 for 15.20. */
  readonly serverVersion: number;
  /** server_version, as the server words it. */
  readonly serverVersionText: string;
  /** `host:port` of the server as it sees the connection, or `a local socket`. */
  readonly address: string;
}

export interface CheckContext {
  readonly session: Session;
  readonly scope: DoctorScope;
}

/** A check of a PostgreSQL side by default; a source engine's own checks take that engine's context. */
export interface Check<Context extends { readonly scope: DoctorScope } = CheckContext> {
  readonly id: string;
  readonly title: string;
  /** About the specs' tables: left out when there are none (specs that did not load, say). */
  readonly aboutTables?: true;
  run(context: Context): Promise<Finding>;
}

/** Runs `checks` one after the other (they share one connection), each guarded. */
export async function runChecks<Context extends { readonly scope: DoctorScope }>(
  checks: readonly Check<Context>[],
  context: Context,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const hasTables = context.scope.migrations.length > 0;
  for (const check of checks) {
    if (check.aboutTables && !hasTables) continue;
    let finding: Finding;
    try {
      finding = await check.run(context);
    } catch (error) {
      finding = fail(`the check could not run: ${messageOf(error)}`);
    }
    results.push({ id: check.id, title: check.title, ...finding });
  }
  return results;
}

export function messageOf(error: unknown): string {
  if (error instanceof FerryError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
