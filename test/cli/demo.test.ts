// `ferry demo` run as a user would, with the built CLI: `--keep` leaves a server whose printed URLs and
// commands work until `--stop` removes it; Ctrl-C during apply stops the server and removes its files
// (exit 130); a taken port is a clear error. Each run gets a TMPDIR of its own, so what it leaves
// behind is visible.

import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FERRY_BIN, runFerry } from '../support/cli.js';
import { DEMO_STEPS } from '../support/demo.js';

/** A whole demo: an embedded server, the workload at 10,000 case files, eight commands. */
const DEMO_TIMEOUT = 240_000;

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'ferry-demo-test-'));
  // Under root the server runs as `postgres`, who must be able to enter its directory.
  await chmod(scratch, 0o755);
});

afterAll(async () => {
  // A failed test may have left a kept server: stop it the way the demo says.
  for (const tmp of await readdir(scratch)) {
    for (const entry of await readdir(join(scratch, tmp)).catch(() => [])) {
      if (entry.startsWith('ferry-demo-')) await runFerry(['demo', '--stop', join(scratch, tmp, entry)]);
    }
  }
  await rm(scratch, { recursive: true, force: true });
});

/** A fresh directory for one run's TMPDIR. */
async function tmpDir(name: string): Promise<string> {
  const dir = join(scratch, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir);
  return dir;
}

/** PostgreSQL processes (not zombies, which are gone but for their parent's reaping) naming `path`. */
async function livePostgres(path: string): Promise<string[]> {
  const { stdout } = await execa('ps', ['-eo', 'stat=,args=']);
  return stdout
    .split('\n')
    .filter((line) => line.includes('postgres') && line.includes(path) && !line.trimStart().startsWith('Z'));
}

async function count(url: string, table: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
    return Number(rows[0]?.n);
  } finally {
    await client.end();
  }
}

function captured(text: string, pattern: RegExp): string {
  const match = pattern.exec(text);
  expect(match, `${pattern} in:\n${text}`).not.toBeNull();
  return match?.[1] as string;
}

describe('ferry demo', () => {
  it(
    'with --keep, runs every step, then leaves a server whose printed URLs and commands work until --stop',
    async () => {
      const tmp = await tmpDir('keep');
      const result = await runFerry(['demo', '--keep'], { env: { TMPDIR: tmp } });
      expect(result.stderr).not.toMatch(/error|\n\s+at /);
      expect(result.exitCode).toBe(0);
      for (const step of DEMO_STEPS) expect(result.stdout).toContain(`\n${step}`);
      expect(result.stdout).toContain('✓ specs are valid: 5 migrations in 3 layers');
      expect(result.stdout).toContain('✓ 5 of 5 migrations done');
      expect(result.stdout).toContain('✓ 5 of 5 migrations match their source');
      expect(result.stdout).toContain('No differences: the target holds what ferry.lock plans.');
      expect(result.stdout).toContain('✓ the demo finished');

      const source = captured(result.stdout, /^ +source +(postgres:\/\/\S+)$/m);
      const target = captured(result.stdout, /^ +target +(postgres:\/\/\S+)$/m);
      const projectDir = captured(result.stdout, /^ +ferry status --dir (\S+)/m);
      const rootDir = captured(result.stdout, /demo --stop (\S+)$/m);
      const pid = captured(result.stdout, /runs on as process (\d+)/);
      expect(source).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/legacy_source$/);
      expect(target).toBe(source.replace('legacy_source', 'app_target'));
      expect(rootDir.startsWith(`${tmp}/ferry-demo-`)).toBe(true);
      expect(projectDir).toBe(`${rootDir}/project`);

      // The URLs connect, to the data the demo moved.
      expect(await count(source, 'legacy.dispatch_order')).toBe(20000);
      expect(await count(target, 'app.orders')).toBe(20000);
      expect(await count(target, 'app.case_file_tags')).toBe(19980);
      // The commands it prints work as printed.
      const status = await runFerry(['--json', 'status', '--dir', projectDir], {
        env: { FERRY_SOURCE_URL: source, FERRY_TARGET_URL: target },
      });
      expect(status.exitCode).toBe(0);
      const migrations = (
        JSON.parse(status.stdout) as {
          migrations: { migration: string; status: { phase: string; rows: number } }[];
        }
      ).migrations.map((m) => [m.migration, m.status.phase, m.status.rows]);
      expect(migrations).toEqual([
        ['brackets', 'done', 1569],
        ['tags', 'done', 500],
        ['case_files', 'done', 10000],
        ['case_file_tags', 'done', 19980],
        ['orders', 'done', 20000],
      ]);
      expect(await livePostgres(rootDir)).toHaveLength(1);

      const stopped = await runFerry(['demo', '--stop', rootDir]);
      expect(stopped.stderr).toBe('');
      expect(stopped.exitCode).toBe(0);
      expect(stopped.stdout).toBe(`✓ stopped the server (process ${pid}) and removed ${rootDir}`);
      expect(existsSync(rootDir)).toBe(false);
      expect(await livePostgres(rootDir)).toEqual([]);
      await expect(count(target, 'app.orders')).rejects.toThrow(/ECONNREFUSED/);
    },
    DEMO_TIMEOUT,
  );

  it(
    'on Ctrl-C during apply, stops the server, removes its files and exits 130',
    async () => {
      const tmp = await tmpDir('interrupt');
      const child = execa('node', [FERRY_BIN, 'demo'], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: tmp },
        extendEnv: false,
        reject: false,
      });
      let stdout = '';
      const ended = child.then((result) => result);
      const seen = (pattern: RegExp) =>
        new Promise<RegExpExecArray>((resolve, reject) => {
          void ended.then((result) =>
            reject(
              new Error(`the demo ended (${result.exitCode}) before ${pattern}:\n${stdout}${result.stderr}`),
            ),
          );
          const check = () => {
            const match = pattern.exec(stdout);
            if (!match) return;
            child.stdout?.off('data', onData);
            resolve(match);
          };
          const onData = (chunk: Buffer) => {
            stdout += chunk.toString('utf8');
            check();
          };
          child.stdout?.on('data', onData);
          check();
        });
      const port = (await seen(/PostgreSQL on 127\.0\.0\.1:(\d+)/))[1];
      // Orders cannot be written while this transaction holds its lock: the apply is caught mid-way.
      const blocker = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/app_target` });
      blocker.on('error', () => {});
      await blocker.connect();
      await blocker.query('BEGIN; LOCK TABLE app.orders IN SHARE MODE');
      await seen(/✓ case_files: 10,000 rows/);
      child.kill('SIGINT');
      const result = await child;
      await blocker.end().catch(() => {});

      expect(result.exitCode).toBe(130);
      expect(result.stdout).toContain('5. apply');
      expect(result.stdout).not.toContain('migrations done');
      expect(result.stderr).toContain('interrupted: stopping the embedded PostgreSQL…');
      expect(result.stderr).toMatch(/the server is stopped and \S+ferry-demo-\w+ removed/);
      expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(await readdir(tmp)).toEqual([]);
      expect(await livePostgres(tmp)).toEqual([]);
    },
    DEMO_TIMEOUT,
  );

  it(
    'leaves nothing behind when its reader goes away (`ferry demo | head`)',
    async () => {
      const tmp = await tmpDir('pipe');
      const result = await execa('bash', ['-c', `node ${FERRY_BIN} demo | head -n 3`], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: tmp },
        extendEnv: false,
        reject: false,
      });
      expect(result.stdout.split('\n')).toHaveLength(3);
      expect(result.stdout).toContain('1. setup');
      expect(await readdir(tmp)).toEqual([]);
      expect(await livePostgres(tmp)).toEqual([]);
    },
    DEMO_TIMEOUT,
  );

  it('says so when its port is taken, exits 1 and leaves nothing behind', async () => {
    const tmp = await tmpDir('port');
    const taken: Server = createServer();
    const port = await new Promise<number>((resolve) =>
      taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)),
    );
    try {
      const result = await runFerry(['demo', '--port', String(port)], { env: { TMPDIR: tmp } });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(`error[demo.server]: port ${port} is already in use on 127.0.0.1`);
      expect(result.stderr).toContain('hint: pick another with --port');
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(await readdir(tmp)).toEqual([]);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it.runIf(process.getuid?.() === 0)(
    'under root, names the directory the server’s user cannot enter, and leaves nothing behind',
    async () => {
      const tmp = await tmpDir('private');
      await chmod(tmp, 0o700);
      const result = await runFerry(['demo'], { env: { TMPDIR: tmp } });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(
        `error[demo.server]: the server's user (postgres) cannot enter ${tmp}\n`,
      );
      expect(result.stderr).toContain('hint: under root the server runs as the system user postgres');
      expect(await readdir(tmp)).toEqual([]);
    },
  );

  it('refuses to --stop a directory the demo did not leave, removing nothing', async () => {
    const dir = await tmpDir('not-a-demo');
    await writeFile(join(dir, 'keep-me.txt'), 'mine\n');
    const result = await runFerry(['demo', '--stop', dir]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      `error[demo.server]: ${dir} is not a directory that \`ferry demo --keep\` left`,
    );
    expect(await readdir(dir)).toEqual(['keep-me.txt']);
  });

  it('refuses a port number out of range', async () => {
    const result = await runFerry(['demo', '--port', '70000']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('expected a port number from 1 to 65535');
  });
});
