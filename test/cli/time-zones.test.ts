// The source time zone end to end: zone-less source timestamps become the same instants whatever the
// machine's TZ and the servers' default TimeZone; a declared zone is used as declared; without one,
// plan pins the source server's and later changes of that default change nothing.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectApplyFinished, runFerry } from '../support/cli.js';
import { writeSpecDir } from '../support/spec-fixtures.js';
import { inlineWorkload, type Workload } from '../support/workload.js';

// Rows 3 and 4 are local times New York skips (spring forward) and lives twice (fall back).
const SOURCE_SQL = `
CREATE SCHEMA legacy;
CREATE TABLE legacy.events (id int PRIMARY KEY, happened timestamp NOT NULL, logged timestamptz NOT NULL);
INSERT INTO legacy.events VALUES
  (1, '2024-01-15 12:00:00', '2024-01-15 23:30:00+00'),
  (2, '2024-07-15 12:00:00', '2024-07-15 23:30:00+00'),
  (3, '2024-03-10 02:30:00', '2024-03-10 04:00:00+00'),
  (4, '2024-11-03 01:30:00', '2024-11-03 12:00:00+00');
`;

const TARGET_SQL = `
CREATE SCHEMA app;
CREATE TABLE app.events (
  id int PRIMARY KEY, happened timestamptz NOT NULL, logged timestamp NOT NULL, logged_on date NOT NULL);
`;

const EVENTS_YAML = `migration: events
from: legacy.events
to: app.events
columns:
  id: id
  happened: happened
  logged: logged
  logged_on: { expr: "logged::date" }
`;

const projectYaml = (zone?: string) => `version: 1
source:
  url: \${env:FERRY_SOURCE_URL}
target:
  url: \${env:FERRY_TARGET_URL}
${zone === undefined ? '' : `sourceTimeZone: ${zone}\n`}`;

/** Instants in UTC and wall times as text, so nothing of the reading session leaks into them. */
async function targetRows(workload: Workload): Promise<string[]> {
  const rows = await workload.target.query<{ row: string }>(
    `SET TimeZone = 'UTC';
     SELECT concat_ws(' | ', id, happened, logged, logged_on) AS row FROM app.events ORDER BY id`,
  );
  return rows.map((r) => r.row);
}

async function setServerDefaults(workload: Workload, source: string, target: string): Promise<void> {
  await workload.source.query(`ALTER DATABASE "${workload.source.name}" SET TimeZone = '${source}'`);
  await workload.target.query(`ALTER DATABASE "${workload.target.name}" SET TimeZone = '${target}'`);
}

function ferryIn(workload: Workload, machineZone: string) {
  return (args: string[]) =>
    runFerry(args, { cwd: workload.projectDir, env: { ...workload.env, TZ: machineZone } });
}

const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.includes('error['));

describe('a declared sourceTimeZone', () => {
  const workloads: Workload[] = [];
  const build = async (label: string) => {
    const workload = await inlineWorkload({
      label,
      sourceSql: SOURCE_SQL,
      targetSql: TARGET_SQL,
      specs: { 'ferry.yaml': projectYaml('America/New_York'), 'events.yaml': EVENTS_YAML },
    });
    workloads.push(workload);
    return workload;
  };
  afterAll(async () => {
    for (const workload of workloads) await workload.drop();
  });

  it('gives the same instants under two machine zones and two pairs of server defaults', async () => {
    const first = await build('tz_declared_a');
    const second = await build('tz_declared_b');
    await setServerDefaults(first, 'Asia/Tokyo', 'America/Los_Angeles');
    await setServerDefaults(second, 'Europe/Berlin', 'Australia/Adelaide');

    const ferryFirst = ferryIn(first, 'Pacific/Auckland');
    const planned = await ferryFirst(['plan']);
    expect(planned.exitCode).toBe(0);
    expect(planned.stdout).toContain(
      'source time zone America/New_York, declared in the project file; it decides the values of 3 columns: events.happened (timestamp → timestamptz), events.logged (timestamptz → timestamp), events.logged_on (expression → date)',
    );
    expect(await readFile(join(first.projectDir, 'ferry.lock'), 'utf8')).toContain(
      '\nsourceTimeZone: { name: America/New_York, origin: declared }\n',
    );
    expectApplyFinished(await ferryFirst(['apply']), 1);
    // verify casts source values to the target's types on the source: in the same zone, they agree.
    expect((await ferryFirst(['verify'])).exitCode).toBe(0);

    const ferrySecond = ferryIn(second, 'America/Sao_Paulo');
    expect((await ferrySecond(['plan'])).exitCode).toBe(0);
    expectApplyFinished(await ferrySecond(['apply']), 1);

    const expected = [
      '1 | 2024-01-15 17:00:00+00 | 2024-01-15 18:30:00 | 2024-01-15',
      '2 | 2024-07-15 16:00:00+00 | 2024-07-15 19:30:00 | 2024-07-15',
      // PostgreSQL reads a skipped local time with the offset before the jump (EST): 02:30 → 07:30 UTC,
      // and a repeated one with the offset after it (EST again): the later of the two instants.
      '3 | 2024-03-10 07:30:00+00 | 2024-03-09 23:00:00 | 2024-03-09',
      '4 | 2024-11-03 06:30:00+00 | 2024-11-03 07:00:00 | 2024-11-03',
    ];
    expect(await targetRows(first)).toEqual(expected);
    expect(await targetRows(second)).toEqual(expected);
  });

  it('makes the lock stale when the declaration changes', async () => {
    const [workload] = workloads;
    if (!workload) throw new Error('the first test builds the workload');
    const projectFile = join(workload.projectDir, 'specs', 'ferry.yaml');
    await writeFile(projectFile, projectYaml('America/Chicago'));
    const ferry = ferryIn(workload, 'UTC');
    const result = await ferry(['plan', '--frozen-lock']);
    expect(result.exitCode).toBe(1);
    expect(errorLines(result.stderr)).toEqual([
      'specs/ferry.yaml:6:17: error[lock.stale]: ferry.lock is stale: sourceTimeZone is now America/Chicago (ferry.lock pins America/New_York as declared)',
    ]);
    // diff lists it under the migration whose values the zone decides.
    const diff = await ferry(['diff', '--json']);
    expect(diff.exitCode).toBe(2);
    const { differences } = JSON.parse(diff.stdout) as { differences: { kind: string; detail: string }[] };
    expect(differences).toEqual([
      expect.objectContaining({
        migration: 'events',
        kind: 'lock-stale',
        detail:
          'sourceTimeZone is now America/Chicago (ferry.lock pins America/New_York as declared); run `ferry plan`, review the diff of ferry.lock and commit it',
      }),
    ]);
  });
});

describe('the source server time zone, pinned', () => {
  let workload: Workload;
  let lockPath: string;
  beforeAll(async () => {
    workload = await inlineWorkload({
      label: 'tz_pinned',
      sourceSql: SOURCE_SQL,
      targetSql: TARGET_SQL,
      specs: { 'ferry.yaml': projectYaml(), 'events.yaml': EVENTS_YAML },
    });
    lockPath = join(workload.projectDir, 'ferry.lock');
  });
  afterAll(async () => {
    await workload?.drop();
  });

  it('is read by plan, pinned, and said to come from the server', async () => {
    await setServerDefaults(workload, 'Asia/Tokyo', 'UTC');
    const result = await ferryIn(workload, 'Europe/London')(['plan', '--json']);
    expect(result.exitCode).toBe(0);
    const output = JSON.parse(result.stdout) as {
      lock: { changes: string[] };
      plan: { sourceTimeZone: unknown };
    };
    expect(output.plan.sourceTimeZone).toEqual({
      name: 'Asia/Tokyo',
      origin: 'source-server',
      serverDefault: 'Asia/Tokyo',
      affectedColumns: [
        { migration: 'events', column: 'happened', conversion: 'timestamp → timestamptz' },
        { migration: 'events', column: 'logged', conversion: 'timestamptz → timestamp' },
        { migration: 'events', column: 'logged_on', conversion: 'expression → date' },
      ],
    });
    expect(output.lock.changes[0]).toBe(
      'the source time zone is not in ferry.lock yet: Asia/Tokyo, read from the source server',
    );
    expect(await readFile(lockPath, 'utf8')).toContain(
      '\nsourceTimeZone: { name: Asia/Tokyo, origin: source-server }\n',
    );
  });

  it('stays pinned when the servers change their defaults: the lock holds and values are read in it', async () => {
    const lockBefore = await readFile(lockPath, 'utf8');
    await setServerDefaults(workload, 'America/New_York', 'Europe/Berlin');
    const ferry = ferryIn(workload, 'America/Los_Angeles');
    const frozen = await ferry(['plan', '--frozen-lock']);
    expect(frozen.exitCode).toBe(0);
    expect(frozen.stdout).toContain(
      [
        "source time zone Asia/Tokyo, read from the source server's TimeZone and pinned in ferry.lock",
        '  it decides the values of 3 columns: events.happened (timestamp → timestamptz), events.logged (timestamptz → timestamp), events.logged_on (expression → date)',
        '  declare sourceTimeZone in the project file to make it explicit',
        "  the source server's TimeZone is now America/New_York; the pinned Asia/Tokyo stays (`ferry plan --update-lock` reads it again)",
      ].join('\n'),
    );
    expect(await readFile(lockPath, 'utf8')).toBe(lockBefore);
    expectApplyFinished(await ferry(['apply']), 1);
    expect(await targetRows(workload)).toEqual([
      '1 | 2024-01-15 03:00:00+00 | 2024-01-16 08:30:00 | 2024-01-16',
      '2 | 2024-07-15 03:00:00+00 | 2024-07-16 08:30:00 | 2024-07-16',
      '3 | 2024-03-09 17:30:00+00 | 2024-03-10 13:00:00 | 2024-03-10',
      '4 | 2024-11-02 16:30:00+00 | 2024-11-03 21:00:00 | 2024-11-03',
    ]);
  });

  it('reports a lock without a pinned zone as stale, and a zone a server refuses by name', async () => {
    const lock = await readFile(lockPath, 'utf8');
    const ferry = ferryIn(workload, 'UTC');
    try {
      await writeFile(lockPath, lock.replace(/^sourceTimeZone: .*\n/m, ''));
      const unpinned = await ferry(['plan', '--frozen-lock']);
      expect(unpinned.exitCode).toBe(1);
      expect(errorLines(unpinned.stderr)).toEqual([
        'specs/ferry.yaml:1:1: error[lock.stale]: ferry.lock is stale: the source time zone is not in ferry.lock yet: America/New_York, read from the source server',
      ]);

      await writeFile(lockPath, lock.replace('name: Asia/Tokyo', 'name: Mars/Olympus_Mons'));
      const refused = await ferry(['plan', '--frozen-lock']);
      expect(refused.exitCode).toBe(1);
      expect(errorLines(refused.stderr)).toEqual([
        'error[connection.time-zone]: the source server does not accept the time zone `Mars/Olympus_Mons`: invalid value for parameter "TimeZone": "Mars/Olympus_Mons"',
      ]);
    } finally {
      await writeFile(lockPath, lock);
    }
  });
});

describe('ferry validate', () => {
  it('reports an unknown sourceTimeZone at its line and column, with the closest name', async () => {
    const dir = await writeSpecDir({ 'ferry.yaml': projectYaml('America/New_Yrok') });
    const result = await runFerry(['validate', '--offline', dir], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n').slice(0, 2)).toEqual([
      'ferry.yaml:6:17: error[spec.time-zone]: `America/New_Yrok` is not a time zone of the IANA database',
      '  hint: did you mean `America/New_York`?',
    ]);
  });
});
