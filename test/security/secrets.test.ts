// No credential leaks: every command runs against servers whose role has a password, and so do the
// runs that fail (a wrong port, a wrong password, a paused migration, with and without --debug).
// Everything they leave is scanned for the password, as written and URL-encoded: stdout, stderr, the
// files of the project (ferry.lock, saved plans, reports, GitHub step files, exported mappings) and
// every row of every table in `_ferry`. Where a URL is shown, its password is masked.

import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runFerry } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { referenceWorkload, type Workload } from '../support/workload.js';

/** Characters a URL must encode, so that both spellings are looked for. */
const PASSWORD = 'Fy-S3cr3t/p@ss:w%rd#9';
const WRONG_PASSWORD = 'Fy-Wr0ng/p@ss#1';
const ROLE = `ferry_secrets_${process.pid}`;
const SECRETS = [PASSWORD, encodeURIComponent(PASSWORD), WRONG_PASSWORD, encodeURIComponent(WRONG_PASSWORD)];

let workload: Workload;
let admin: TestDatabase;
let env: Record<string, string>;
/** Whether the server checks passwords at all (a `trust` server lets a wrong one in). */
let checksPasswords: boolean;
const outputs: Array<{ label: string; text: string }> = [];
/** Each test runs ferry a dozen times on a shared machine. */
const SLOW = 240_000;

function withRole(url: string, password: string | undefined = PASSWORD, port?: string): string {
  const parsed = new URL(url);
  parsed.username = ROLE;
  parsed.password = password === undefined ? '' : encodeURIComponent(password);
  if (port) parsed.port = port;
  return parsed.toString();
}

/** The same URL as ferry shows it: the password replaced by ****. */
function masked(url: string): string {
  const parsed = new URL(url);
  parsed.password = '****';
  return parsed.toString();
}

function expectNoSecret(label: string, text: string): void {
  for (const secret of SECRETS) expect(text.includes(secret), `${label} shows ${secret}`).toBe(false);
}

/** Runs ferry in the project, keeps its output for the final scan, and checks it at once. */
async function ferry(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  const result = await runFerry(args, { cwd: workload.projectDir, env: { ...env, ...extraEnv } });
  const label = `ferry ${args.join(' ')}`;
  outputs.push({ label, text: `${result.stdout}\n${result.stderr}` });
  expectNoSecret(label, `${result.stdout}\n${result.stderr}`);
  return result;
}

beforeAll(async () => {
  workload = await referenceWorkload('secrets');
  admin = await createTestDatabase('secrets_admin');
  await admin.query(`CREATE ROLE "${ROLE}" LOGIN SUPERUSER PASSWORD '${PASSWORD}'`);
  env = { FERRY_SOURCE_URL: withRole(workload.source.url), FERRY_TARGET_URL: withRole(workload.target.url) };
  checksPasswords = await new pg.Client({ connectionString: withRole(workload.target.url, WRONG_PASSWORD) })
    .connect()
    .then(
      (client) => client.end().then(() => false),
      () => true,
    );
});

afterAll(async () => {
  await workload?.drop();
  await admin?.query(`DROP ROLE IF EXISTS "${ROLE}"`);
  await admin?.drop();
});

describe('secrets', () => {
  it(
    'validate and plan in every format, with a saved plan',
    async () => {
      expect((await ferry(['validate'])).exitCode).toBe(0);
      expect((await ferry(['plan'])).exitCode).toBe(0);
      const json = await ferry(['--json', 'plan']);
      expect(json.exitCode).toBe(0);
      await writeFile(join(workload.projectDir, 'plan.json'), json.stdout);
      expect((await ferry(['plan', '--format', 'markdown'])).exitCode).toBe(0);
      expect((await ferry(['plan', '--out', 'saved-plan.json'])).exitCode).toBe(0);
      // Under GitHub Actions plan writes the job summary and step outputs, files a workflow keeps.
      const github = {
        GITHUB_ACTIONS: 'true',
        GITHUB_STEP_SUMMARY: join(workload.projectDir, 'github-summary.md'),
        GITHUB_OUTPUT: join(workload.projectDir, 'github-output.txt'),
      };
      expect((await ferry(['plan'], github)).exitCode).toBe(0);
      expect((await readFile(github.GITHUB_STEP_SUMMARY, 'utf8')).length).toBeGreaterThan(0);
    },
    SLOW,
  );

  it(
    'a dry run, a paused apply, status, and the apply that resumes it',
    async () => {
      const dryRun = await ferry(['--json', 'apply', '--dry-run']);
      expect(dryRun.exitCode).toBe(0);
      await writeFile(join(workload.projectDir, 'dry-run.ndjson'), dryRun.stdout);
      // A target row that takes a source label: the tags batch breaks the unique key and pauses.
      const [tag] = await workload.source.query<{ label: string }>(
        'SELECT label FROM legacy.dispatch_tag ORDER BY id LIMIT 1',
      );
      await workload.target.query('INSERT INTO app.tags (id, label) VALUES (-1, $1)', [tag?.label]);
      const paused = await ferry(['apply']);
      expect(paused.exitCode).toBe(3);
      expect(paused.stdout + paused.stderr).toContain('tags');
      expect((await ferry(['status'])).exitCode).toBe(0);
      await workload.target.query('DELETE FROM app.tags WHERE id = -1');
      const resumed = await ferry(['--json', 'apply']);
      expect(resumed.stderr).toBe('');
      expect(resumed.exitCode).toBe(0);
      // A saved plan made before the apply no longer holds: refused, naming what moved.
      expect((await ferry(['apply', 'saved-plan.json'])).exitCode).toBe(1);
    },
    SLOW,
  );

  it(
    'diff, verify, doctor, report, rollback --dry-run and finalize',
    async () => {
      expect((await ferry(['diff'])).exitCode).toBe(0);
      expect((await ferry(['--json', 'diff'])).exitCode).toBe(0);
      expect((await ferry(['diff', '--plan', 'plan.json'])).exitCode).toBe(0);
      expect((await ferry(['verify'])).exitCode).toBe(0);
      expect((await ferry(['doctor'])).exitCode).not.toBe(2);
      expect((await ferry(['--json', 'doctor'])).exitCode).not.toBe(2);
      // The password from PGPASSWORD instead of the URL.
      const fromEnvironment = {
        FERRY_SOURCE_URL: withRole(workload.source.url, undefined),
        FERRY_TARGET_URL: withRole(workload.target.url, undefined),
        PGPASSWORD: PASSWORD,
      };
      expect((await ferry(['doctor'], fromEnvironment)).exitCode).not.toBe(2);
      const report = await ferry([
        'report',
        '--plan',
        'plan.json',
        '--dry-run',
        'dry-run.ndjson',
        '--base-lock',
        'ferry.lock',
        '--out',
        'report.md',
      ]);
      expect(report.exitCode).toBe(0);
      expect((await ferry(['rollback', '--dry-run'])).exitCode).toBe(0);
      expect((await ferry(['finalize', '--export-mappings', 'mappings.csv'])).exitCode).toBe(0);
    },
    SLOW,
  );

  it(
    'failing runs show the URL masked: a wrong port, a wrong password, with --debug too',
    async () => {
      const wrongPort = withRole(workload.target.url, PASSWORD, '1');
      const wrongPassword = withRole(workload.target.url, WRONG_PASSWORD);
      const wrongSource = withRole(workload.source.url, WRONG_PASSWORD);
      for (const debug of [[], ['--debug']]) {
        const refused = await ferry([...debug, 'status'], { FERRY_TARGET_URL: wrongPort });
        expect(refused.exitCode).toBe(1);
        expect(refused.stderr).toContain(masked(wrongPort));
        const plan = await ferry([...debug, 'plan'], { FERRY_SOURCE_URL: wrongSource });
        expect(plan.exitCode, plan.stderr).toBe(checksPasswords ? 1 : 0);
        if (checksPasswords) expect(plan.stderr).toContain(masked(wrongSource));
      }
      const denied = await ferry(['apply'], { FERRY_TARGET_URL: wrongPassword });
      expect(denied.exitCode).toBe(checksPasswords ? 1 : 0);
      if (checksPasswords) expect(denied.stderr).toContain(masked(wrongPassword));
    },
    SLOW,
  );

  it(
    'init takes the URLs as options and writes none of them',
    async () => {
      const result = await ferry([
        'init',
        '--source',
        env.FERRY_SOURCE_URL as string,
        '--target',
        env.FERRY_TARGET_URL as string,
        '--source-schema',
        'legacy',
        '--target-schema',
        'app',
        '--out',
        'drafts',
      ]);
      expect(result.exitCode).toBe(0);
      expect((await readdir(join(workload.projectDir, 'drafts'))).length).toBeGreaterThan(0);
    },
    SLOW,
  );

  it(
    'leaves the password in no file and in no row of _ferry',
    async () => {
      const files = await readdir(workload.projectDir, { recursive: true, withFileTypes: true });
      const scanned = files.filter((f) => f.isFile()).map((f) => join(f.parentPath, f.name));
      expect(scanned.map((path) => path.slice(workload.projectDir.length + 1)).sort()).toEqual(
        expect.arrayContaining([
          'dry-run.ndjson',
          'ferry.lock',
          'github-output.txt',
          'github-summary.md',
          'mappings.csv',
          'plan.json',
          'report.md',
          'saved-plan.json',
        ]),
      );
      for (const path of scanned) expectNoSecret(path, await readFile(path, 'utf8'));

      const tables = await workload.target.query<{ name: string }>(
        `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
        WHERE table_schema = '_ferry' ORDER BY 1`,
      );
      expect(tables.length).toBeGreaterThan(5);
      for (const { name } of tables) {
        const rows = await workload.target.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t`);
        expectNoSecret(name, rows.map((r) => r.row).join('\n'));
      }
      // Some commands ran at all: the scan looked at real output.
      expect(outputs.length).toBeGreaterThan(25);
    },
    SLOW,
  );
});
