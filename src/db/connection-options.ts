// A connection URL read with libpq's meaning, for node-postgres: `sslmode` (and PGSSLMODE) as libpq
// defines it, the sslrootcert/sslcert/sslkey/sslpassword files, and the password from the URL,
// PGPASSWORD or a password file. node-postgres reads these parameters its own way (its
// `sslmode=require` verifies the certificate like verify-full, and no mode falls back to an
// unencrypted connection), so ferry takes them out of the URL and sets the TLS options itself.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import { errorDiagnostic, FerryError } from '../errors.js';
import { maskUrl } from '../util/mask-url.js';
import { lookUpPassword, type PasswordTarget, passwordFilePath } from './password-file.js';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** URL parameters ferry reads itself: node-postgres never sees them. */
const OWN_PARAMETERS = [
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'sslpassword',
  'passfile',
  'uselibpqcompat',
];

/** libpq's default: try TLS without verifying the certificate, fall back to a plain connection. */
const DEFAULT_SSL_MODE: SslMode = 'prefer';

/** How to connect: node-postgres options without TLS, and the TLS settings to try, in order. */
export interface ConnectionPlan {
  readonly config: pg.ClientConfig;
  /** `ssl-parameter` when the URL uses node-postgres's own `ssl=` and no sslmode: left to it. */
  readonly sslMode: SslMode | 'ssl-parameter';
  /** The first attempt, then the fallback of `prefer` (plain) or `allow` (TLS). */
  readonly attempts: readonly (false | TlsOptions | undefined)[];
  /** Where the fallback of `prefer` is remembered: a server that refused TLS once is asked no more. */
  readonly endpoint: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Servers (host:port) that answered a `prefer` connection with "no TLS here", in this process. */
const plainOnly = new Set<string>();

/**
 * Reads `url` (and the libpq environment variables) into a plan to connect. Throws
 * `connection.tls` when a TLS parameter is wrong or a certificate file cannot be read.
 *
 * @example
 * const plan = connectionPlan('postgres://app@db/x?sslmode=verify-full&sslrootcert=ca.crt', 'target');
 * plan.attempts; // → [{ ca: '-----BEGIN CERTIFICATE-----…' }]
 */
export function connectionPlan(url: string, role: string, env: Env = process.env): ConnectionPlan {
  const parsed = new URL(url);
  const own = (name: string) => parsed.searchParams.get(name) ?? undefined;
  const passfile = passwordFilePath(own('passfile'), env);
  parsed.searchParams.delete('passfile');
  // node-postgres's own `ssl=true` without an sslmode: its meaning is kept, as before ferry read sslmode.
  if (parsed.searchParams.has('ssl') && own('sslmode') === undefined) {
    const config = readUrl(parsed, url, role);
    return {
      config: { ...config, ...passwordOption(config, passfile, env) },
      sslMode: 'ssl-parameter',
      attempts: [undefined],
      endpoint: '',
    };
  }
  const sslMode = readSslMode(
    own('sslmode') ?? env.PGSSLMODE,
    own('sslmode') === undefined ? 'PGSSLMODE' : `the ${role} URL's sslmode`,
  );
  const tls = new TlsFiles(
    {
      rootcert: own('sslrootcert') ?? env.PGSSLROOTCERT,
      cert: own('sslcert') ?? env.PGSSLCERT,
      key: own('sslkey') ?? env.PGSSLKEY,
      password: own('sslpassword'),
    },
    role,
  );
  for (const name of OWN_PARAMETERS) parsed.searchParams.delete(name);
  const { ssl: _none, ...config } = readUrl(parsed, url, role);
  // As node-postgres does: an empty part of the URL is taken from the environment.
  const host = config.host || env.PGHOST || '';
  const endpoint = `${host}:${config.port || env.PGPORT || ''}`;
  return {
    config: { ...config, ...passwordOption(config, passfile, env) },
    sslMode,
    // As in libpq, TLS is never tried over a Unix socket, whatever the mode.
    attempts: host.startsWith('/') ? [false] : tlsAttempts(sslMode, tls, endpoint),
    endpoint,
  };
}

/** node-postgres's reading of the URL (host, port, socket directory, database, user, options). */
function readUrl(parsed: URL, url: string, role: string): pg.ClientConfig {
  try {
    return parseIntoClientConfig(parsed.toString());
  } catch (error) {
    throw new FerryError(
      errorDiagnostic(
        'connection.unsupported',
        `the ${role} URL cannot be read (${maskUrl(url)}): ${(error as Error).message}`,
        {
          hint: 'write it as postgres://user@host:5432/database?sslmode=verify-full',
        },
      ),
    );
  }
}

function readSslMode(text: string | undefined, source: string): SslMode {
  if (text === undefined || text === '') return DEFAULT_SSL_MODE;
  if ((SSL_MODES as readonly string[]).includes(text)) return text as SslMode;
  throw tlsError(`${source} \`${text}\` is not one of ${SSL_MODES.join(', ')}`, {
    hint: 'sslmode=verify-full checks the certificate and the host name; require only encrypts',
  });
}

function tlsAttempts(mode: SslMode, tls: TlsFiles, endpoint: string): (false | TlsOptions)[] {
  switch (mode) {
    case 'disable':
      return [false];
    case 'allow':
      return [false, tls.unverified()];
    case 'prefer':
      return plainOnly.has(endpoint) ? [false] : [tls.unverified(), false];
    case 'require':
      // As in libpq: with a root certificate at hand, require checks the chain like verify-ca.
      return [tls.hasRootCertificate() ? tls.verified(mode, false) : tls.unverified()];
    case 'verify-ca':
      return [tls.verified(mode, false)];
    case 'verify-full':
      return [tls.verified(mode, true)];
  }
}

/** The certificate files of a connection, read only for the modes that use them. */
class TlsFiles {
  constructor(
    private readonly files: {
      rootcert: string | undefined;
      cert: string | undefined;
      key: string | undefined;
      password: string | undefined;
    },
    private readonly role: string,
  ) {}

  /** Encrypted; the server's certificate is not checked. */
  unverified(): TlsOptions {
    return { rejectUnauthorized: false, ...this.clientCertificate() };
  }

  /** Encrypted and checked against the root certificate; the host name too when `checkHost`. */
  verified(mode: SslMode, checkHost: boolean): TlsOptions {
    const rootcert = this.rootCertificatePath();
    if (rootcert === undefined) {
      throw tlsError(
        `the ${this.role} URL's sslmode=${mode} needs a root certificate to check the server's against`,
        {
          hint: 'add sslrootcert=/path/to/ca.crt to the URL (or sslrootcert=system for the system’s trusted CAs), or set PGSSLROOTCERT',
        },
      );
    }
    return {
      // `system`: Node's own list of trusted CAs, as libpq's sslrootcert=system uses the system's.
      ...(rootcert === 'system' ? {} : { ca: this.read('sslrootcert', rootcert) }),
      ...(checkHost ? {} : { checkServerIdentity: () => undefined }),
      ...this.clientCertificate(),
    };
  }

  hasRootCertificate(): boolean {
    return this.rootCertificatePath() !== undefined;
  }

  private rootCertificatePath(): string | undefined {
    if (this.files.rootcert) return this.files.rootcert;
    const fallback = defaultFile('root.crt');
    return existsSync(fallback) ? fallback : undefined;
  }

  /** A client certificate, when one is named or sits where libpq looks for it. */
  private clientCertificate(): TlsOptions {
    const cert = this.files.cert ?? existing(defaultFile('postgresql.crt'));
    const key = this.files.key ?? existing(defaultFile('postgresql.key'));
    if (cert === undefined || key === undefined) return {};
    return {
      cert: this.read('sslcert', cert),
      key: this.read('sslkey', key),
      ...(this.files.password === undefined ? {} : { passphrase: this.files.password }),
    };
  }

  private read(parameter: string, path: string): string {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw tlsError(`the ${this.role} URL's ${parameter} \`${path}\` cannot be read (${code})`, {
        hint: `check the path in ${parameter} (relative paths start from the directory ferry runs in)`,
      });
    }
  }
}

/** libpq's place for certificates: ~/.postgresql/ (%APPDATA%\postgresql\ on Windows). */
function defaultFile(name: string): string {
  return process.platform === 'win32'
    ? join(process.env.APPDATA ?? homedir(), 'postgresql', name)
    : join(homedir(), '.postgresql', name);
}

function existing(path: string): string | undefined {
  return existsSync(path) ? path : undefined;
}

/**
 * The URL's password; otherwise a function node-postgres calls only when the server asks for one,
 * which answers from PGPASSWORD, then the password file.
 */
function passwordOption(
  config: pg.ClientConfig,
  passfile: string,
  env: Env,
): Pick<pg.ClientConfig, 'password'> {
  if (typeof config.password === 'string' && config.password !== '') return { password: config.password };
  // node-postgres passes the connection's resolved host, port, database and user.
  const ask = async (target: PasswordTarget): Promise<string> => {
    if (env.PGPASSWORD !== undefined) return env.PGPASSWORD;
    const lookup = await lookUpPassword(passfile, {
      host: String(target.host ?? ''),
      port: String(target.port ?? 5432),
      database: String(target.database ?? ''),
      user: String(target.user ?? ''),
    });
    if ('found' in lookup) return lookup.found;
    const why = {
      absent: `there is no password file at ${lookup.file}`,
      'no-entry': `no line of the password file ${lookup.file} matches`,
      unsafe: `the password file ${lookup.file} was ignored: group or others may read it (chmod 0600 it)`,
    }[lookup.reason];
    throw new Error(
      `the server asks for a password and none was given (not in the URL, PGPASSWORD is not set, and ${why})`,
    );
  };
  return { password: ask as unknown as () => Promise<string> };
}

/**
 * Connects with each TLS setting of the plan in turn: `prefer` falls back to a plain connection
 * when the server has no TLS, `allow` to TLS when the server refuses a plain one.
 */
export async function connectWithPlan(
  plan: ConnectionPlan,
  open: (config: pg.ClientConfig) => pg.Client,
): Promise<pg.Client> {
  for (const [i, ssl] of plan.attempts.entries()) {
    const client = open(ssl === undefined ? plan.config : { ...plan.config, ssl });
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => {});
      const last = i === plan.attempts.length - 1;
      if (last || !worthRetrying(plan.sslMode, error)) throw error;
      if (plan.sslMode === 'prefer') plainOnly.add(plan.endpoint);
    }
  }
  throw new Error('no connection attempt was planned');
}

const NO_TLS = 'The server does not support SSL connections';

function worthRetrying(mode: ConnectionPlan['sslMode'], error: unknown): boolean {
  const { message, code } = error as { message?: unknown; code?: unknown };
  if (mode === 'prefer') return message === NO_TLS;
  // `allow`: the server refused the plain connection (pg_hba.conf `hostssl`), as libpq retries.
  if (mode === 'allow') return typeof code === 'string' && code.startsWith('28');
  return false;
}

/** Node's codes for a certificate that failed verification. */
const CERTIFICATE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * A failure of the TLS part of connecting, as a diagnostic: a certificate that did not verify, a
 * failed handshake, or a server without TLS where the mode requires it. Undefined for any other.
 */
export function tlsFailure(
  error: unknown,
  plan: ConnectionPlan,
  url: string,
  role: string,
): FerryError | undefined {
  const { message, code } = error as { message?: unknown; code?: unknown };
  const where = `cannot connect to the ${role} (${maskUrl(url)})`;
  if (message === NO_TLS) {
    return tlsError(`${where}: the server does not accept TLS connections (sslmode=${plan.sslMode})`, {
      hint: 'turn on ssl in the server’s configuration, or lower sslmode (prefer uses TLS only where the server offers it)',
    });
  }
  if (typeof code !== 'string') return undefined;
  if (CERTIFICATE_CODES.has(code)) {
    return tlsError(`${where}: the server's certificate did not verify: ${String(message)}`, {
      hint:
        plan.sslMode === 'verify-full'
          ? 'sslrootcert must name the CA certificate that signed the server’s, and the host in the URL must be a name in it'
          : 'sslrootcert must name the CA certificate that signed the server’s',
    });
  }
  // OpenSSL's own failures: a handshake the server broke off, a client key that would not decrypt.
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_OSSL_')) {
    return tlsError(`${where}: the TLS handshake failed: ${String(message)}`, {
      hint: 'check sslcert, sslkey and sslpassword, and that the server speaks PostgreSQL on this port',
    });
  }
  return undefined;
}

function tlsError(message: string, options: { hint: string }): FerryError {
  return new FerryError(errorDiagnostic('connection.tls', message, options));
}
