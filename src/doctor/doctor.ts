// `doctor` as a library function: can ferry do its work with these connections? Both sides are
// checked at once (connection, version, TLS, catalog, privileges, settings), each check reporting ok,
// a warning or a failure with the statement that fixes it. Reads only; never creates anything.

import { openSide } from './connection.js';
import { runChecks } from './run-checks.js';
import { loadDoctorScope, type ScopeOptions } from './scope.js';
import { type SourceReport, sourceDialectOf } from './source-dialect.js';
import { spaceCheck, TARGET_CHECKS } from './target-checks.js';
import type { CheckResult, DoctorResult, DoctorScope } from './types.js';

export interface DoctorOptions extends ScopeOptions {}

/**
 * Checks that both databases are ready for ferry and the connecting roles may do what it needs.
 *
 * @example
 * const result = await doctorProject({ projectDir: '.', workers: 4 });
 * for (const check of result.checks) console.log(check.status, check.title, check.fix?.join('\n') ?? '');
 * process.exitCode = result.ok ? 0 : 1;
 */
export async function doctorProject(options: DoctorOptions): Promise<DoctorResult> {
  const scope = await loadDoctorScope(options);
  const [source, target] = await Promise.all([checkSource(scope), checkTarget(scope)]);
  const checks = [
    scope.specs,
    ...source.checks,
    ...target,
    ...(scope.migrations.length > 0 ? [spaceCheck(source.bytes)] : []),
  ];
  return { ok: checks.every((check) => check.status !== 'fail'), checks };
}

async function checkSource(scope: DoctorScope): Promise<SourceReport> {
  const url = scope.urls.source;
  // Without a URL the connection check says why it could not be tried.
  if (url === undefined) return { checks: (await openSide('source', undefined, scope)).checks };
  const dialect = sourceDialectOf(url);
  if (dialect) return dialect.check(url, scope);
  const scheme = url.split(':')[0];
  return {
    checks: [
      {
        id: 'source.connection',
        title: 'source reachable',
        status: 'fail',
        detail: `doctor checks PostgreSQL (postgres://) and MySQL or MariaDB (mysql://) sources; a \`${scheme}:\` source is not checked`,
      },
    ],
  };
}

async function checkTarget(scope: DoctorScope): Promise<CheckResult[]> {
  const opened = await openSide('target', scope.urls.target, scope);
  if (!opened.session) return opened.checks;
  try {
    return [...opened.checks, ...(await runChecks(TARGET_CHECKS, { session: opened.session, scope }))];
  } finally {
    await opened.session.client.end().catch(() => {});
  }
}
