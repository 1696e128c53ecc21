// `ferry init` from a MariaDB source as a new user runs it: PascalCase tables and columns (`Album`.
// `ArtistId`) matched to snake_case PostgreSQL targets (`albums.artist_id`), drafts that `plan`
// resolves with every column mapped, and an `apply` that moves every value as it was.

import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { expectApplyFinished, runFerry } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createMysqlTestDatabase, type MysqlTestDatabase, mysqlServerUrl } from '../support/mysql.js';

const server = mysqlServerUrl();

const SOURCE_SQL = `
  CREATE TABLE Artist (ArtistId INT NOT NULL AUTO_INCREMENT PRIMARY KEY, Name VARCHAR(120));
  CREATE TABLE Album (
    AlbumId INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    Title VARCHAR(160) NOT NULL,
    ArtistId INT NOT NULL,
    CONSTRAINT FK_AlbumArtistId FOREIGN KEY (ArtistId) REFERENCES Artist (ArtistId)
  );
  INSERT INTO Artist (ArtistId, Name) VALUES (1, 'AC/DC'), (2, 'Accept'), (3, 'Antônio Carlos Jobim'), (4, NULL);
  INSERT INTO Album (AlbumId, Title, ArtistId) VALUES
    (1, 'For Those About To Rock We Salute You', 1), (2, 'Balls to the Wall', 2),
    (3, 'Restless and Wild', 2), (4, 'Warner 25 Anos', 3), (5, 'Let There Be Rock', 1);`;

const TARGET_SQL = `
  CREATE SCHEMA music;
  CREATE TABLE music.artists (id integer PRIMARY KEY, name text);
  CREATE TABLE music.albums (
    id integer PRIMARY KEY,
    title text NOT NULL,
    artist_id integer NOT NULL REFERENCES music.artists (id)
  );`;

let source: MysqlTestDatabase;
let target: TestDatabase;
let env: Record<string, string>;

beforeAll(async () => {
  if (!server) return;
  source = await createMysqlTestDatabase('init_my', SOURCE_SQL);
  target = await createTestDatabase('init_my_tgt', TARGET_SQL);
  env = { FERRY_SOURCE_URL: source.url, FERRY_TARGET_URL: target.url };
});

afterAll(async () => {
  await source?.drop();
  await target?.drop();
});

async function drafts(dir: string): Promise<Record<string, unknown>> {
  const names = (await readdir(join(dir, 'specs'))).sort();
  const entries = await Promise.all(
    names.map(async (name) => [name, parse(await readFile(join(dir, 'specs', name), 'utf8'))] as const),
  );
  return Object.fromEntries(entries);
}

interface PlannedColumn {
  readonly target: string;
  readonly from?: string;
  readonly ref?: string;
  readonly origin: { readonly kind: string };
}

/** `plan --json`'s columns of each migration: target ← source column (and ref), with their origin. */
async function plannedColumns(dir: string) {
  const plan = await runFerry(['plan', '--json'], { cwd: dir, env });
  expect(plan.stderr).toBe('');
  expect(plan.exitCode).toBe(0);
  const report = JSON.parse(plan.stdout) as {
    decisionsPending: number;
    plan: { migrations: { name: string; columns: PlannedColumn[] }[] };
  };
  expect(report.decisionsPending).toBe(0);
  return Object.fromEntries(
    report.plan.migrations.map((m) => [
      m.name,
      Object.fromEntries(
        m.columns.map((c) => [
          c.target,
          `${c.from ?? '?'}${c.ref ? ` via ${c.ref}` : ''} (${c.origin.kind})`,
        ]),
      ),
    ]),
  );
}

describe.skipIf(!server)('ferry init from a MySQL source', () => {
  it('drafts specs that plan resolves and apply carries out, every value equal to its source', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-init-mysql-'));
    const init = await runFerry(['init', '--json', '--source', source.url, '--target', target.url], {
      cwd: dir,
    });
    expect(init.stderr).toBe('');
    expect(init.exitCode).toBe(0);
    expect(JSON.parse(init.stdout)).toEqual({
      ok: true,
      directory: 'specs',
      files: ['ferry.yaml', 'albums.yaml', 'artists.yaml'],
      matched: 2,
      unmatched: [],
      decisions: 0,
    });
    expect(await drafts(dir)).toEqual({
      'albums.yaml': {
        migration: 'albums',
        from: `${source.name}.Album`,
        to: 'music.albums',
        columns: {
          id: { from: 'AlbumId' },
          title: { from: 'Title' },
          artist_id: { from: 'ArtistId', ref: 'artists' },
        },
      },
      'artists.yaml': {
        migration: 'artists',
        from: `${source.name}.Artist`,
        to: 'music.artists',
        columns: { id: { from: 'ArtistId' }, name: { from: 'Name' } },
      },
      'ferry.yaml': {
        version: 1,
        source: { url: '${env:FERRY_SOURCE_URL}', schema: source.name },
        target: { url: '${env:FERRY_TARGET_URL}', schema: 'music' },
        defaults: { batchSize: 'auto', onError: 'pause' },
        agents: ['schema', 'mapping', 'planning'],
      },
    });
    const texts = await Promise.all(
      ['albums.yaml', 'artists.yaml', 'ferry.yaml'].map((f) => readFile(join(dir, 'specs', f), 'utf8')),
    );
    expect(texts.join('\n')).not.toContain(source.url);

    expect(await plannedColumns(dir)).toEqual({
      artists: { id: 'ArtistId (declared)', name: 'Name (declared)' },
      albums: {
        id: 'AlbumId (declared)',
        title: 'Title (declared)',
        artist_id: 'ArtistId via artists (declared)',
      },
    });

    const apply = await runFerry(['apply'], { cwd: dir, env });
    expectApplyFinished(apply, 2);
    const [artists, albums] = await Promise.all([
      target.query('SELECT id, name FROM music.artists ORDER BY id'),
      target.query('SELECT id, title, artist_id FROM music.albums ORDER BY id'),
    ]);
    expect(artists).toEqual(
      await source.query('SELECT ArtistId AS id, Name AS name FROM Artist ORDER BY ArtistId'),
    );
    expect(albums).toEqual(
      await source.query(
        'SELECT AlbumId AS id, Title AS title, ArtistId AS artist_id FROM Album ORDER BY AlbumId',
      ),
    );
    expect(artists).toHaveLength(4);
    expect(albums).toHaveLength(5);
  });

  it('infers the same mapping at plan when the drafts leave the columns out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-init-mysql-'));
    const init = await runFerry(['init', '--source', source.url, '--target', target.url], { cwd: dir });
    expect(init.exitCode).toBe(0);
    for (const name of ['albums.yaml', 'artists.yaml']) {
      const path = join(dir, 'specs', name);
      await writeFile(path, (await readFile(path, 'utf8')).replace(/^columns:[\s\S]*$/m, ''));
    }
    expect(await plannedColumns(dir)).toEqual({
      artists: { id: 'ArtistId (inferred)', name: 'Name (inferred)' },
      albums: {
        id: 'AlbumId (inferred)',
        title: 'Title (inferred)',
        artist_id: 'ArtistId (inferred)',
      },
    });
  });
});
