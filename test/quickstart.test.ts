// The README's quickstart as a newcomer meets it: its two lines read out of README.md, the second the
// test command CI runs, the first run from a fresh copy of the project (what a clone holds, plus work
// not committed yet; no node_modules, no dist) with nothing installed. It must show the demo finishing
// every step with verify passing, exit 0, and leave no PostgreSQL behind.

import { readFileSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/cli.js';
import { DEMO_STEPS } from './support/demo.js';

/** npm ci (from npm's cache when it can), two builds and the demo: minutes on a busy machine. */
const QUICKSTART_TIMEOUT = 600_000;

/** The command lines of the first `sh` block under `## Quickstart`. */
function quickstartLines(readme: string): string[] {
  const section = readme.split('\n## Quickstart\n')[1]?.split(/\n## /)[0] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block.split('\n').filter((line) => line.trim() !== '');
}

/** What `git clone` would give, with the working tree's uncommitted and untracked files as they are. */
async function freshCopy(into: string): Promise<void> {
  const { stdout } = await execa('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO_ROOT,
  });
  const files = stdout.split('\0').filter((path) => path !== '' && !/^(node_modules|dist)\//.test(path));
  for (const path of files) {
    await mkdir(dirname(join(into, path)), { recursive: true });
    // A tracked file deleted in the working tree is not part of the copy.
    await cp(join(REPO_ROOT, path), join(into, path)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
}

/**
 * The caller's environment as a shell would have it: no test-suite markers, no ferry or CI
 * variables, none of the variables `npm run` sets for the script running this test (npm's own
 * configuration, such as a registry, stays).
 */
function newcomerEnv(tmp: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(FERRY_|GITHUB_|VITEST|NODE_ENV$|NODE_OPTIONS$|TEST$|CI$|INIT_CWD$)/.test(name)) continue;
    if (/^npm_/i.test(name) && !/^npm_config_/i.test(name)) continue;
    env[name] = value;
  }
  return { ...env, TMPDIR: tmp };
}

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ferry-quickstart-'));
  // Under root the demo's server runs as `postgres`, who must be able to enter its directories.
  await chmod(work, 0o755);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('the README quickstart', () => {
  const lines = quickstartLines(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'));

  it('is two lines: the demo, then the test command .ci/run runs', async () => {
    expect(lines).toEqual(['npm ci && npm run demo', 'npm test']);
    const ci = (await readFile(join(REPO_ROOT, '.ci/run'), 'utf8')).split('\n').map((line) => line.trim());
    expect(ci).toContain(lines[1]);
  });

  it(
    'runs its first line from a fresh copy: every demo step finishes, verify passes, no server is left',
    async () => {
      const copy = join(work, 'ferry');
      const tmp = join(work, 'tmp');
      await mkdir(tmp, { mode: 0o755 });
      await freshCopy(copy);
      expect(await readdir(copy)).not.toContain('node_modules');

      const result = await execa('bash', ['-c', lines[0] as string], {
        cwd: copy,
        env: newcomerEnv(tmp),
        extendEnv: false,
        reject: false,
        all: true,
        timeout: QUICKSTART_TIMEOUT - 30_000,
      });
      const output = result.all ?? '';
      expect(result.exitCode, output).toBe(0);
      for (const step of DEMO_STEPS) expect(output).toContain(`\n${step}`);
      expect(output).toContain('✓ specs are valid: 5 migrations in 3 layers');
      expect(output).toContain('✓ 5 of 5 migrations done');
      expect(output).toContain('✓ 5 of 5 migrations match their source');
      expect(output).toContain('No differences: the target holds what ferry.lock plans.');
      expect(output).toContain('✓ the demo finished');
      expect(output).toContain('npm run demo -- --keep');

      // The server ran from the copy's own node_modules; nothing of it may outlive the demo.
      const { stdout: processes } = await execa('ps', ['-eo', 'stat=,args=']);
      const left = processes
        .split('\n')
        .filter((line) => line.includes(copy) && !line.trimStart().startsWith('Z'));
      expect(left).toEqual([]);
      expect((await readdir(tmp)).filter((name) => name.startsWith('ferry-demo-'))).toEqual([]);
    },
    QUICKSTART_TIMEOUT,
  );
});
