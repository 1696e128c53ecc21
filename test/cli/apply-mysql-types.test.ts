// Every MySQL type of the conversion table (docs/mysql.md) through plan and apply, with the mapping
// agent's proposals, into PostgreSQL values checked one by one; and names that would break naive SQL
// on either engine (backticks, quotes, a semicolon, unicode, reserved words, mixed case) moved intact.

import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectApplyFinished, runFerry } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createMysqlTestDatabase, type MysqlTestDatabase, mysqlServerUrl } from '../support/mysql.js';

const server = mysqlServerUrl();

const SOURCE = `
CREATE TABLE \`Every \`\`Type\`\` ; DROP\` (
  \`Id\` INT UNSIGNED NOT NULL PRIMARY KEY,
  \`select\` TINYINT(1) NOT NULL,
  \`naïve "col"\` VARCHAR(40) CHARACTER SET latin1,
  \`Status\` ENUM('open', 'it''s shut'),
  \`Tags\` SET('red', 'green', 'blue'),
  \`Photo\` BLOB,
  \`Doc\` JSON,
  \`Flag\` BIT(1),
  \`Big\` BIGINT UNSIGNED,
  \`Price\` DECIMAL(30,10),
  \`Born\` YEAR,
  \`Elapsed\` TIME,
  \`Happened\` DATETIME(6),
  \`Stamped\` TIMESTAMP NULL,
  \`Day\` DATE
);
INSERT INTO \`Every \`\`Type\`\` ; DROP\` VALUES
  (1, 1, 'Grüße; DROP TABLE x; --', 'it''s shut', 'red,blue', UNHEX('00FF5C0A'), '{"a": [1, "b"]}', b'1',
   18446744073709551615, 12345678901234567890.0123456789, 2155, '-838:59:59', '2021-03-04 05:06:07.123456',
   '2022-01-02 03:04:05', '2020-02-29'),
  (2, 0, '', 'open', '', '', 'null', b'0', 0, -0.0000000001, 1901, '25:00:00', '1000-01-01 00:00:00',
   '1970-01-01 00:00:01', '1000-01-01'),
  (3, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
SET SESSION sql_mode = '';
INSERT INTO \`Every \`\`Type\`\` ; DROP\` (\`Id\`, \`select\`, \`Happened\`, \`Day\`) VALUES (4, 1, '0000-00-00 00:00:00', '2019-05-00');
`;

const TARGET = `
CREATE SCHEMA "Target ""Schema""";
CREATE TYPE "Target ""Schema""".status AS ENUM ('open', 'it''s shut');
CREATE TABLE "Target ""Schema"""."every type" (
  id bigint PRIMARY KEY, "select" boolean NOT NULL, naive_col text, status "Target ""Schema""".status,
  tags text[], photo bytea, doc jsonb, flag boolean, big numeric(20,0), price numeric(30,10), born smallint,
  elapsed interval, happened timestamptz, stamped timestamptz, day date);
`;

const spec = (database: string) => `migration: every_type
from: ${database}."Every \`Type\` ; DROP"
to: '"Target ""Schema"""."every type"'
columns:
  naive_col: { from: 'naïve "col"' }
  elapsed: { from: Elapsed }
`;

describe.skipIf(!server)('MySQL types and hostile names', () => {
  let source: MysqlTestDatabase;
  let target: TestDatabase;
  let projectDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    source = await createMysqlTestDatabase('my_types', SOURCE);
    target = await createTestDatabase('my_types_tgt', TARGET);
    projectDir = await mkdtemp(join(tmpdir(), 'ferry-project-'));
    await mkdir(join(projectDir, 'specs'));
    await writeFile(
      join(projectDir, 'specs', 'ferry.yaml'),
      'version: 1\nsource:\n  url: ${env:FERRY_SOURCE_URL}\ntarget:\n  url: ${env:FERRY_TARGET_URL}\nsourceTimeZone: UTC\n',
    );
    await writeFile(join(projectDir, 'specs', 'every_type.yaml'), spec(source.name));
    env = { FERRY_SOURCE_URL: source.url, FERRY_TARGET_URL: target.url };
  });
  afterAll(async () => {
    await source?.drop();
    await target?.drop();
  });

  it('proposes a mapping for every column, then moves every value exactly', async () => {
    const plan = await runFerry(['--json', 'plan'], { cwd: projectDir, env });
    expect(plan.stderr).toBe('');
    expect(plan.exitCode).toBe(0);
    const planned = JSON.parse(plan.stdout).plan;
    expect(planned.decisions).toStrictEqual([]);
    const columns = Object.fromEntries(
      (planned.migrations[0].columns as { target: string; from?: string; expr?: string }[]).map((c) => [
        c.target,
        c.expr ?? c.from,
      ]),
    );
    expect(columns).toStrictEqual({
      id: 'Id',
      select: '"select" <> 0',
      naive_col: 'naïve "col"',
      status: 'Status',
      tags: `string_to_array(nullif("Tags", ''), ',')`,
      photo: 'Photo',
      doc: 'Doc',
      flag: `"Flag" = B'1'`,
      big: 'Big',
      price: 'Price',
      born: 'Born',
      elapsed: 'Elapsed',
      happened: 'Happened',
      stamped: 'Stamped',
      day: 'Day',
    });

    const apply = await runFerry(['apply'], { cwd: projectDir, env });
    expectApplyFinished(apply, 1);
    expect(apply.stdout).toContain('every_type: batch 1: 1 zero date in Happened read as NULL');
    expect(apply.stdout).toContain('every_type: batch 1: 1 zero date in Day read as NULL');
    const rows = await target.query<Record<string, string | null>>(
      `SET TimeZone = 'UTC';
       SELECT id::text, "select"::text, naive_col, status::text, tags::text, photo::text, doc::text, flag::text,
              big::text, price::text, born::text, elapsed::text, happened::text, stamped::text, day::text
         FROM "Target ""Schema"""."every type" ORDER BY id`,
    );
    expect(rows).toStrictEqual([
      {
        id: '1',
        select: 'true',
        naive_col: 'Grüße; DROP TABLE x; --',
        status: "it's shut",
        tags: '{red,blue}',
        photo: '\\x00ff5c0a',
        doc: '{"a": [1, "b"]}',
        flag: 'true',
        big: '18446744073709551615',
        price: '12345678901234567890.0123456789',
        born: '2155',
        elapsed: '-838:59:59',
        happened: '2021-03-04 05:06:07.123456+00',
        stamped: '2022-01-02 03:04:05+00',
        day: '2020-02-29',
      },
      {
        id: '2',
        select: 'false',
        naive_col: '',
        status: 'open',
        tags: null,
        photo: '\\x',
        doc: 'null',
        flag: 'false',
        big: '0',
        price: '-0.0000000001',
        born: '1901',
        elapsed: '25:00:00',
        happened: '1000-01-01 00:00:00+00',
        stamped: '1970-01-01 00:00:01+00',
        day: '1000-01-01',
      },
      {
        id: '3',
        select: 'false',
        naive_col: null,
        status: null,
        tags: null,
        photo: null,
        doc: null,
        flag: null,
        big: null,
        price: null,
        born: null,
        elapsed: null,
        happened: null,
        stamped: null,
        day: null,
      },
      expect.objectContaining({ id: '4', select: 'true', happened: null, day: null }),
    ]);
    const verified = await runFerry(['verify'], { cwd: projectDir, env });
    expect(verified.stderr).toBe('');
    expect(verified.exitCode).toBe(0);
  });
});
