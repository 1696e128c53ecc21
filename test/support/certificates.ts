// Certificates for TLS tests, made with the openssl command line: a CA, a server certificate it signs
// for localhost and 127.0.0.1, and a second CA that signed nothing (the "wrong" root certificate).

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface TestCertificates {
  readonly dir: string;
  /** The CA that signed the server's certificate (PEM file). */
  readonly caFile: string;
  /** A CA that did not sign it (PEM file). */
  readonly otherCaFile: string;
  readonly server: { readonly certificate: string; readonly key: string };
  remove(): Promise<void>;
}

/** Why certificates cannot be made here, or undefined when openssl is available. */
export async function opensslMissing(): Promise<string | undefined> {
  const probe = await execa('openssl', ['version'], { reject: false });
  return probe.exitCode === 0 ? undefined : 'the openssl command is not available';
}

export async function makeCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-tls-'));
  const openssl = (args: string[]) => execa('openssl', args, { cwd: dir });
  // EC keys: generated in milliseconds, unlike RSA.
  const key = (name: string) =>
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name]);
  const selfSignedCa = async (name: string) => {
    await key(`${name}.key`);
    await openssl([
      'req',
      '-x509',
      '-new',
      '-key',
      `${name}.key`,
      '-subj',
      `/CN=${name}`,
      '-days',
      '2',
      '-out',
      `${name}.crt`,
    ]);
  };
  await selfSignedCa('ca');
  await selfSignedCa('other-ca');
  await key('server.key');
  await openssl(['req', '-new', '-key', 'server.key', '-subj', '/CN=localhost', '-out', 'server.csr']);
  await openssl([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    await extensions(dir),
    '-out',
    'server.crt',
  ]);
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    otherCaFile: join(dir, 'other-ca.crt'),
    server: {
      certificate: await readFile(join(dir, 'server.crt'), 'utf8'),
      key: await readFile(join(dir, 'server.key'), 'utf8'),
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The names a client checks under verify-full. */
async function extensions(dir: string): Promise<string> {
  const { writeFile } = await import('node:fs/promises');
  const path = join(dir, 'server.ext');
  await writeFile(path, 'subjectAltName = DNS:localhost, IP:127.0.0.1\n');
  return path;
}
