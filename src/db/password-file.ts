// The password file libpq reads (~/.pgpass, PGPASSFILE, or the URL's `passfile`): lines of
// `host:port:database:user:password`, `*` matching anything, `\` escaping `:` and `\`. ferry reads it
// itself, only when the server asks for a password, and ignores a file others may read, as libpq does.

import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** What a password is looked up by: the connection as it is actually made. */
export interface PasswordTarget {
  readonly host: string;
  readonly port: string;
  readonly database: string;
  readonly user: string;
}

export type PasswordLookup =
  | { readonly found: string }
  | { readonly file: string; readonly reason: 'absent' | 'no-entry' | 'unsafe' };

/** Where the password file is: the URL's `passfile`, then PGPASSFILE, then the platform's default. */
export function passwordFilePath(
  passfile: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  if (passfile) return passfile;
  if (env.PGPASSFILE) return env.PGPASSFILE;
  return process.platform === 'win32'
    ? join(env.APPDATA ?? homedir(), 'postgresql', 'pgpass.conf')
    : join(env.HOME ?? homedir(), '.pgpass');
}

/**
 * The password of the first line of `file` that matches `target`.
 *
 * @example
 * await lookUpPassword('/home/me/.pgpass', { host: 'db', port: '5432', database: 'app', user: 'ferry' });
 * // → { found: 's3cret' } for the line `db:5432:*:ferry:s3cret`
 */
export async function lookUpPassword(file: string, target: PasswordTarget): Promise<PasswordLookup> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return { file, reason: 'absent' };
  // Group or others may read it: libpq refuses such a file, and so does ferry.
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) return { file, reason: 'unsafe' };
  const text = await readFile(file, 'utf8').catch(() => '');
  // A socket path counts as localhost, as in libpq.
  const host = target.host === '' || target.host.startsWith('/') ? 'localhost' : target.host;
  const wanted = [host, target.port, target.database, target.user];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const fields = splitFields(line);
    if (fields.length < 5) continue;
    if (wanted.every((value, i) => fields[i] === '*' || fields[i] === value)) {
      // The password is everything after the fourth separator, colons included.
      return { found: fields.slice(4).join(':') };
    }
  }
  return { file, reason: 'no-entry' };
}

/** The fields of one line, with `\:` and `\\` read as the characters they escape. */
function splitFields(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  for (let i = 0; i < line.length; i++) {
    const char = line[i] as string;
    if (char === '\\' && i + 1 < line.length) {
      current += line[++i];
    } else if (char === ':') {
      fields.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  fields.push(current);
  return fields;
}
