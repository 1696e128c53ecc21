// One run of the demo owns one temporary directory: the server's files, its log and the project. It is
// removed at the end, or kept with the server running (`--keep`) until `ferry demo --stop DIR`.

import { rmSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { errorDiagnostic, FerryError } from '../errors.js';
import { DemoServer } from './demo-server.js';
import { processAlive } from './processes.js';
import { DEMO_DATABASES } from './workload.js';

/** What a kept demo's directory records, for `--stop` and for people reading it. */
const MARKER_FILE = 'ferry-demo.json';

interface KeptDemo {
  readonly pid: number;
  readonly port: number;
  readonly source: string;
  readonly target: string;
}

export class DemoSession {
  readonly server: DemoServer;
  readonly projectDir: string;

  private constructor(readonly rootDir: string) {
    this.server = new DemoServer(rootDir);
    this.projectDir = join(rootDir, 'project');
  }

  static async create(): Promise<DemoSession> {
    const rootDir = await mkdtemp(join(tmpdir(), 'ferry-demo-'));
    // Under root the server runs as `postgres`, who must be able to enter the directory.
    await chmod(rootDir, 0o755);
    return new DemoSession(rootDir);
  }

  get urls(): { readonly source: string; readonly target: string } {
    return { source: this.server.url(DEMO_DATABASES.source), target: this.server.url(DEMO_DATABASES.target) };
  }

  /** Stops the server and removes every file of the run. */
  async remove(): Promise<void> {
    await this.server.stop();
    await rm(this.rootDir, { recursive: true, force: true, maxRetries: 3 });
  }

  /** `remove` for the moment the process exits, when nothing asynchronous runs any more. */
  removeNow(): void {
    this.server.stopNow();
    rmSync(this.rootDir, { recursive: true, force: true, maxRetries: 3 });
  }

  /** Leaves the server running after ferry exits; returns its process id. */
  async keep(): Promise<number> {
    const pid = this.server.pid;
    if (pid === undefined) throw new Error('the demo server is not running');
    const kept: KeptDemo = { pid, port: this.server.port, ...this.urls };
    await writeFile(join(this.rootDir, MARKER_FILE), `${JSON.stringify(kept, null, 2)}\n`);
    this.server.detach();
    return pid;
  }
}

const STOP_TIMEOUT_MS = 30_000;

/**
 * `ferry demo --stop DIR`: stops the server a `--keep` run left in DIR and removes DIR. Refuses any
 * directory without the demo's marker file, so it never deletes what the demo did not create.
 */
export async function stopKeptDemo(dir: string): Promise<{ readonly pid: number | undefined }> {
  const rootDir = resolve(dir);
  const marker = await readFile(join(rootDir, MARKER_FILE), 'utf8').catch(() => undefined);
  if (marker === undefined) {
    throw new FerryError(
      errorDiagnostic('demo.server', `${rootDir} is not a directory that \`ferry demo --keep\` left`, {
        hint: `give the directory the demo printed (it holds ${MARKER_FILE}); nothing was stopped or removed`,
      }),
    );
  }
  const pid = await runningServerPid(rootDir);
  if (pid !== undefined) await stopProcess(pid, join(rootDir, 'postgres', 'postmaster.pid'));
  await rm(rootDir, { recursive: true, force: true, maxRetries: 3 });
  return { pid };
}

/** The server's process id from postmaster.pid, while that process exists. */
async function runningServerPid(rootDir: string): Promise<number | undefined> {
  const text = await readFile(join(rootDir, 'postgres', 'postmaster.pid'), 'utf8').catch(() => '');
  const pid = Number(text.split('\n')[0]);
  return Number.isSafeInteger(pid) && pid > 0 && processAlive(pid) ? pid : undefined;
}

/**
 * A fast shutdown, waited for until the server removed its postmaster.pid (its last act) or is gone;
 * not a child of this process, it may linger as a zombie that only its new parent can reap.
 */
async function stopProcess(pid: number, pidFile: string): Promise<void> {
  const gone = async () =>
    !processAlive(pid) ||
    (await readFile(pidFile, 'utf8').then(
      () => false,
      () => true,
    ));
  for (const signal of ['SIGINT', 'SIGQUIT', 'SIGKILL'] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return; // gone already
    }
    const started = Date.now();
    while (Date.now() - started < STOP_TIMEOUT_MS) {
      if (await gone()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
