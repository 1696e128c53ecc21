// MySQL connection URLs: libpq's and MySQL's TLS words, the password from the URL or MYSQL_PWD, and
// failures that name the server without its password; the session ferry opens is read-only.

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectMysql, mysqlConnectionOptions } from '../../src/db/mysql.js';
import { FerryError } from '../../src/errors.js';
import { createMysqlTestDatabase, mysqlServerUrl } from '../support/mysql.js';

const savedPassword = process.env.MYSQL_PWD;
afterEach(() => {
  if (savedPassword === undefined) delete process.env.MYSQL_PWD;
  else process.env.MYSQL_PWD = savedPassword;
});

describe('mysqlConnectionOptions', () => {
  it('reads host, port, user, password and database from the URL', () => {
    expect(mysqlConnectionOptions('mysql://app:s%40cret@db.internal:3307/legacy', 'source')).toMatchObject({
      host: 'db.internal',
      port: 3307,
      user: 'app',
      password: 's@cret',
      database: 'legacy',
    });
  });

  it('takes the password from MYSQL_PWD when the URL has none', () => {
    process.env.MYSQL_PWD = 'from-env';
    expect(mysqlConnectionOptions('mariadb://app@db/legacy', 'source').password).toBe('from-env');
  });

  it("maps libpq's and MySQL's TLS modes, reading the certificate files", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-tls-'));
    const ca = join(dir, 'ca.pem');
    await writeFile(ca, 'CERTIFICATE TEXT');
    expect(mysqlConnectionOptions('mysql://a@h/d', 'source').ssl).toBeUndefined();
    expect(mysqlConnectionOptions('mysql://a@h/d?sslmode=disable', 'source').ssl).toBeUndefined();
    expect(mysqlConnectionOptions('mysql://a@h/d?sslmode=require', 'source').ssl).toStrictEqual({
      rejectUnauthorized: false,
    });
    expect(
      mysqlConnectionOptions(`mysql://a@h/d?ssl-mode=VERIFY_IDENTITY&ssl-ca=${ca}`, 'source').ssl,
    ).toStrictEqual({
      ca: 'CERTIFICATE TEXT',
      rejectUnauthorized: true,
    });
    expect(
      mysqlConnectionOptions(`mysql://a@h/d?sslmode=verify-full&sslrootcert=${ca}`, 'source').ssl,
    ).toStrictEqual({
      ca: 'CERTIFICATE TEXT',
      rejectUnauthorized: true,
    });
  });

  it('refuses an unknown sslmode and an unreadable certificate with a clear error', () => {
    const code = (url: string) => {
      try {
        mysqlConnectionOptions(url, 'source');
        return undefined;
      } catch (error) {
        return error instanceof FerryError ? error.diagnostics[0]?.code : 'not a FerryError';
      }
    };
    expect(code('mysql://a@h/d?sslmode=sometimes')).toBe('connection.unsupported');
    expect(code('mysql://a@h/d?sslrootcert=/nonexistent/ca.pem')).toBe('connection.failed');
    expect(code('postgres://a@h/d')).toBe('connection.unsupported');
  });
});

describe.skipIf(!mysqlServerUrl())('connectMysql', () => {
  it('names the server but never the password when the login fails', async () => {
    const server = new URL(mysqlServerUrl() as string);
    server.username = 'ferry_nobody';
    server.password = 'hunter2-secret';
    const error = await connectMysql(server.toString(), 'source').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FerryError);
    const message = (error as FerryError).diagnostics[0]?.message ?? '';
    expect(message).toContain('cannot connect to the source');
    expect(message).toContain('ferry_nobody:****@');
    expect(message).not.toContain('hunter2-secret');
  });

  it('opens a read-only session that reads in UTC', async () => {
    const database = await createMysqlTestDatabase('my_session', 'CREATE TABLE t (id INT PRIMARY KEY)');
    const connection = await connectMysql(database.url, 'source');
    try {
      const [rows] = await connection.query('SELECT @@session.time_zone AS zone');
      expect(rows).toStrictEqual([{ zone: '+00:00' }]);
      await expect(connection.query('INSERT INTO t VALUES (1)')).rejects.toThrow(/READ ONLY/i);
    } finally {
      await connection.end();
      await database.drop();
    }
  });
});
