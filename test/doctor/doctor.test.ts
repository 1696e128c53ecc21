// `ferry doctor` against real databases: as the suite's superuser every check is ok (exit 0); as a
// role with only part of the privileges each missing grant is named with the exact statement (exit 1),
// and running those statements makes every check ok; --select narrows the tables, --workers is
// checked against the connections, and specs that do not load still get their connections checked.

import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DoctorResult } from '../../src/doctor/types.js';
import { runFerry } from '../support/cli.js';
import { inlineWorkload, type Workload } from '../support/workload.js';

const PROJECT = {
  label: 'doctor',
  sourceSql: `
    CREATE SCHEMA legacy;
    CREATE TABLE legacy.owners (id int PRIMARY KEY, name text NOT NULL);
    INSERT INTO legacy.owners SELECT g, 'owner ' || g FROM generate_series(1, 20) g;
    CREATE TABLE legacy.pets (id int PRIMARY KEY, owner_id int NOT NULL, name text NOT NULL);
    INSERT INTO legacy.pets SELECT g, 1 + g % 20, 'pet ' || g FROM generate_series(1, 40) g;`,
  targetSql: `
    CREATE SCHEMA app;
    CREATE TABLE app.owners (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
    CREATE TABLE app.pets (id serial PRIMARY KEY, owner_id bigint NOT NULL REFERENCES app.owners (id), name text NOT NULL);`,
  specs: {
    'owners.yaml': `migration: owners
from: legacy.owners
to: app.owners
keys: generate
columns:
  name: { from: name }
`,
    'pets.yaml': `migration: pets
from: legacy.pets
to: app.pets
columns:
  id: { from: id }
  owner_id: { from: owner_id, ref: owners }
  name: { from: name }
`,
  },
};

const PASSWORD = 'doctor-secret-7';

/** Every check doctor runs for this project, in its order. */
const CHECK_IDS = [
  'specs',
  'source.connection',
  'source.version',
  'source.tls',
  'source.catalog',
  'source.schemas',
  'source.tables',
  'source.statement-timeout',
  'source.idle-timeout',
  'source.connections',
  'target.connection',
  'target.version',
  'target.tls',
  'target.catalog',
  'target.state-schema',
  'target.temp',
  'target.schemas',
  'target.tables',
  'target.sequences',
  'target.bulk-owner',
  'target.statement-timeout',
  'target.idle-timeout',
  'target.connections',
  'target.space',
];

let workload: Workload;
const role = `ferry_doctor_${randomBytes(4).toString('hex')}`;
let roleEnv: Record<string, string>;

function asRole(url: string): string {
  const parsed = new URL(url);
  parsed.username = role;
  parsed.password = PASSWORD;
  return parsed.toString();
}

async function doctor(env: Record<string, string>, args: string[] = []) {
  const result = await runFerry(['doctor', '--json', ...args], { cwd: workload.projectDir, env });
  expect(result.stderr).toBe('');
  return {
    exitCode: result.exitCode,
    stdout: result.stdout,
    report: JSON.parse(result.stdout) as DoctorResult,
  };
}

function byId(report: DoctorResult) {
  return Object.fromEntries(report.checks.map((c) => [c.id, c]));
}

function statuses(report: DoctorResult): Record<string, string> {
  return Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
}

beforeAll(async () => {
  workload = await inlineWorkload(PROJECT);
  const target = workload.target.name;
  // Part of what ferry needs: the schemas, one source table, two privileges on one target table and
  // one on its sequence. No CREATE or TEMP on the target database, and a short statement timeout there.
  await workload.source.query(`
    CREATE ROLE ${role} LOGIN PASSWORD '${PASSWORD}';
    ALTER ROLE ${role} IN DATABASE ${target} SET statement_timeout = '30s';
    GRANT USAGE ON SCHEMA legacy TO ${role};
    GRANT SELECT ON legacy.owners TO ${role};`);
  await workload.target.query(`
    REVOKE TEMPORARY ON DATABASE ${target} FROM PUBLIC;
    GRANT USAGE ON SCHEMA app TO ${role};
    GRANT SELECT, INSERT ON app.owners TO ${role};
    GRANT USAGE ON SEQUENCE app.owners_id_seq TO ${role};`);
  roleEnv = { FERRY_SOURCE_URL: asRole(workload.source.url), FERRY_TARGET_URL: asRole(workload.target.url) };
});

afterAll(async () => {
  await workload?.drop();
  // The databases are gone, and with them every grant and setting of the role: it can be dropped.
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  try {
    await client.query(`DROP ROLE IF EXISTS ${role}`);
  } finally {
    await client.end();
  }
});

describe('ferry doctor', () => {
  it('finds every check ok for the superuser the suite connects as', async () => {
    const { exitCode, report } = await doctor(workload.env);
    expect(report.checks.map((c) => c.id)).toEqual(CHECK_IDS);
    expect(report.checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(exitCode).toBe(0);
    const checks = byId(report);
    expect(checks.specs?.detail).toBe('2 migrations over 4 tables');
    expect(checks['source.tables']?.detail).toBe('SELECT on 2 tables');
    expect(checks['target.tls']?.detail).toBe('not encrypted (a local connection, sslmode=prefer)');
    expect(checks['target.sequences']?.detail).toBe(
      'USAGE, SELECT, UPDATE on 2 sequences of the target tables',
    );
    expect(checks['target.state-schema']?.detail).toBe(
      '_ferry does not exist yet; the first apply creates it (CREATE on the database)',
    );
  });

  it('prints one line per check and exits 0 when none fails', async () => {
    const result = await runFerry(['doctor'], { cwd: workload.projectDir, env: workload.env });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines).toHaveLength(CHECK_IDS.length + 2);
    expect(lines.slice(0, -2).every((line) => line.startsWith('ok    '))).toBe(true);
    expect(lines.at(-1)).toBe(`✓ no check failed (${CHECK_IDS.length} checks)`);
  });

  it('names each missing grant of a least-privileged role with the statement that gives it', async () => {
    const { exitCode, stdout, report } = await doctor(roleEnv);
    expect(stdout).not.toContain(PASSWORD);
    expect(exitCode).toBe(1);
    expect(report.ok).toBe(false);
    expect(statuses(report)).toEqual({
      ...Object.fromEntries(CHECK_IDS.map((id) => [id, 'ok'])),
      'source.tables': 'fail',
      'target.state-schema': 'fail',
      'target.temp': 'fail',
      'target.tables': 'fail',
      'target.sequences': 'fail',
      'target.bulk-owner': 'warn',
      'target.statement-timeout': 'warn',
    });
    const target = workload.target.name;
    const fixes = Object.fromEntries(report.checks.filter((c) => c.fix).map((c) => [c.id, c.fix]));
    expect(fixes).toEqual({
      'source.tables': [`GRANT SELECT ON TABLE legacy.pets TO ${role};`],
      'target.state-schema': [`GRANT CREATE ON DATABASE ${target} TO ${role};`],
      'target.temp': [`GRANT TEMPORARY ON DATABASE ${target} TO ${role};`],
      'target.tables': [
        `GRANT UPDATE, DELETE ON TABLE app.owners TO ${role};`,
        `GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE app.pets TO ${role};`,
      ],
      'target.sequences': [
        `GRANT SELECT, UPDATE ON SEQUENCE app.owners_id_seq TO ${role};`,
        `GRANT USAGE, SELECT, UPDATE ON SEQUENCE app.pets_id_seq TO ${role};`,
      ],
      'target.bulk-owner': [
        `ALTER TABLE app.owners OWNER TO ${role};`,
        `ALTER TABLE app.pets OWNER TO ${role};`,
      ],
      'target.statement-timeout': [`ALTER ROLE ${role} IN DATABASE ${target} SET statement_timeout = 0;`],
    });
    const checks = byId(report);
    expect(checks['source.connection']?.detail).toMatch(
      new RegExp(`^database ${workload.source.name} on .* as ${role}$`),
    );
    expect(checks['target.temp']?.detail).toBe(
      `no TEMP on database ${target}: the batches of owners, pets go through a temporary staging table`,
    );
    expect(checks['target.statement-timeout']?.detail).toMatch(
      /^statement_timeout = 30s \(set by ALTER ROLE … IN DATABASE\): /,
    );
  });

  it('shows the fixes under their check in text', async () => {
    const result = await runFerry(['doctor'], { cwd: workload.projectDir, env: roleEnv });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).not.toContain(PASSWORD);
    const lines = result.stdout.split('\n');
    const failed = lines.findIndex((line) => line.startsWith('fail  source tables readable '));
    expect(lines[failed]).toMatch(/^fail {2}source tables readable +no SELECT on legacy\.pets$/);
    expect(lines[failed + 1]).toBe(`      GRANT SELECT ON TABLE legacy.pets TO ${role};`);
    expect(result.stdout.split('\n').at(-1)).toBe(
      '5 of 24 checks failed, 2 warnings: run the statements under them as a role that may grant them, then ferry doctor again',
    );
  });

  it('checks only the tables of the selected migrations', async () => {
    const { report } = await doctor(roleEnv, ['--select', 'owners']);
    const checks = byId(report);
    expect(checks.specs?.detail).toBe('1 migration over 2 tables');
    expect(checks['source.tables']).toMatchObject({ status: 'ok', detail: 'SELECT on 1 table' });
    expect(checks['target.tables']?.fix).toEqual([`GRANT UPDATE, DELETE ON TABLE app.owners TO ${role};`]);
  });

  it('fails the connections check when the workers asked for could never connect', async () => {
    const { exitCode, report } = await doctor(workload.env, ['--workers', '100000']);
    expect(exitCode).toBe(1);
    const connections = byId(report)['target.connections'];
    expect(connections?.status).toBe('fail');
    expect(connections?.detail).toMatch(
      /^apply opens up to 100001 at once \(the workers of its widest layer, and one for the run lock\); /,
    );
    expect(connections?.fix).toEqual([
      expect.stringMatching(/^ALTER SYSTEM SET max_connections = \d+; -- then restart the server$/),
    ]);
  });

  it('still checks both connections when the specs do not load', async () => {
    const broken = join(workload.projectDir, 'specs', 'broken.yaml');
    await writeFile(broken, 'migration: broken\nfrom: legacy.owners\nto: app.owners\nkeyz: preserve\n');
    try {
      const { exitCode, report } = await doctor(workload.env);
      expect(exitCode).toBe(1);
      expect(report.checks.map((c) => c.id)).toEqual([
        'specs',
        'source.connection',
        'source.version',
        'source.tls',
        'source.statement-timeout',
        'source.idle-timeout',
        'source.connections',
        'target.connection',
        'target.version',
        'target.tls',
        'target.state-schema',
        'target.statement-timeout',
        'target.idle-timeout',
        'target.connections',
      ]);
      const specs = byId(report).specs;
      expect(specs?.status).toBe('fail');
      expect(specs?.detail).toMatch(/^specs\/broken\.yaml:4:1: /);
      expect(report.checks.filter((c) => c.status !== 'ok').map((c) => c.id)).toEqual(['specs']);
    } finally {
      await rm(broken);
    }
  });

  it('finds every check ok once the statements it named have run', async () => {
    const { report: before } = await doctor(roleEnv);
    const fixes = before.checks.flatMap((c) =>
      (c.fix ?? []).map((sql) => ({ side: c.id.split('.')[0], sql })),
    );
    for (const { side, sql } of fixes)
      await (side === 'source' ? workload.source : workload.target).query(sql);
    const { exitCode, report } = await doctor(roleEnv);
    expect(report.checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(exitCode).toBe(0);
  });
});
