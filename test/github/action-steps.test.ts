// The composite action's scripts, run as the Actions runner runs them (bash -eo pipefail, the step's
// env, $GITHUB_OUTPUT and $RUNNER_TEMP as files): the base lockfile read from git, plan with a dry run
// and the report, apply, the exit-code policy, and the comment posted or updated through a stand-in
// for the GitHub CLI that records what it was asked.

import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FERRY_BIN, runFerry } from '../support/cli.js';
import { inlineWorkload, type Workload } from '../support/workload.js';

interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly run?: string;
}

const action = parse(await readFile('.github/actions/ferry/action.yml', 'utf8')) as {
  runs: { steps: Step[] };
};

function script(key: string): string {
  const step = action.runs.steps.find((s) => s.id === key || s.name === key);
  if (!step?.run) throw new Error(`no step ${key} with a script`);
  return step.run;
}

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'ferry-action-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Runs one step's script as the runner does, with a fresh $GITHUB_OUTPUT; returns what it wrote. */
async function runStep(
  key: string,
  options: { cwd?: string; env: Record<string, string> },
): Promise<{ exitCode: number; stdout: string; stderr: string; outputs: Record<string, string> }> {
  const dir = await mkdtemp(join(scratch, 'step-'));
  const file = join(dir, 'script.sh');
  const output = join(dir, 'output');
  await writeFile(file, script(key));
  await writeFile(output, '');
  const result = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], {
    cwd: options.cwd ?? dir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      RUNNER_TEMP: join(scratch, 'runner-temp'),
      GITHUB_OUTPUT: output,
      ...options.env,
    },
    extendEnv: false,
    reject: false,
  });
  return {
    exitCode: result.exitCode ?? -1,
    stdout: result.stdout,
    stderr: result.stderr,
    outputs: parseOutputs(await readFile(output, 'utf8')),
  };
}

/** Both forms the runner reads: `name=value` and `name<<DELIMITER … DELIMITER`; later ones win. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const multi = /^([\w-]+)<<(.+)$/.exec(line);
    if (multi) {
      const end = lines.indexOf(multi[2] as string, i + 1);
      outputs[multi[1] as string] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return outputs;
}

describe('the action’s policy and install scripts', () => {
  it('fails on errors and pauses, on decisions pending for plan, and never on differences for diff', async () => {
    const cases = [
      ['0', 'plan', 0],
      ['1', 'plan', 1],
      ['2', 'plan', 2],
      ['2', 'apply', 2],
      ['2', 'diff', 0],
      ['3', 'plan', 3],
      ['', 'plan', 1],
    ] as const;
    for (const [code, command, expected] of cases) {
      const result = await runStep('Result', { env: { CODE: code, COMMAND: command } });
      expect(result.exitCode, `${code} ${command}`).toBe(expected);
    }
  });

  it('runs ferry as told when given a command', async () => {
    const result = await runStep('install', { env: { FERRY_COMMAND: 'npx --no-install ferry' } });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toEqual({ command: 'npx --no-install ferry' });
  });
});

describe('the action’s steps on a project in a git repository', () => {
  let workload: Workload;
  let project: string;
  let baseSha: string;
  let env: Record<string, string>;

  const git = (args: string[]) =>
    execa('git', ['-c', 'user.name=ferry', '-c', 'user.email=ferry@example.com', ...args], { cwd: project });

  beforeAll(async () => {
    workload = await inlineWorkload({
      label: 'action',
      sourceSql: `
        CREATE SCHEMA legacy;
        CREATE TABLE legacy.customers (id int PRIMARY KEY, name text NOT NULL);
        CREATE TABLE legacy.orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES legacy.customers, cents int NOT NULL);
        INSERT INTO legacy.customers SELECT g, 'customer ' || g FROM generate_series(1, 20) g;
        INSERT INTO legacy.orders SELECT g, 1 + g % 20, g * 100 FROM generate_series(1, 60) g;
        ANALYZE;`,
      targetSql: `
        CREATE SCHEMA app;
        CREATE TABLE app.customers (id int PRIMARY KEY, name text NOT NULL);
        CREATE TABLE app.orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES app.customers, amount numeric NOT NULL);`,
      specs: {
        'customers.yaml': 'migration: customers\nfrom: legacy.customers\nto: app.customers\n',
        'orders.yaml':
          'migration: orders\nfrom: legacy.orders\nto: app.orders\ncolumns:\n  customer_id: { from: customer_id, ref: customers }\n  amount: { expr: "cents / 100.0" }\n',
      },
    });
    // The repository's root is above the project, as when the action's working-directory is set.
    project = join(workload.projectDir, 'warehouse');
    await mkdir(project);
    await execa('mv', [join(workload.projectDir, 'specs'), project]);
    env = { ...workload.env, GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: workload.projectDir };
    expect((await runFerry(['plan'], { cwd: project, env: workload.env })).exitCode).toBe(0);
    await git(['init', '-q', '-b', 'main', workload.projectDir]);
    await git(['add', '.']);
    await git(['commit', '-qm', 'base']);
    baseSha = (await git(['rev-parse', 'HEAD'])).stdout;
    // The pull request: orders' amounts computed another way, ferry.lock planned again.
    const orders = join(project, 'specs', 'orders.yaml');
    await writeFile(
      orders,
      (await readFile(orders, 'utf8')).replace('cents / 100.0', 'round(cents / 100.0, 2)'),
    );
    expect((await runFerry(['plan'], { cwd: project, env: workload.env })).exitCode).toBe(0);
    await git(['commit', '-qam', 'change orders']);
  });

  afterAll(async () => {
    await workload?.drop();
  });

  it('reads the base lockfile from the base commit, from the project’s place in the repository', async () => {
    const result = await runStep('base', { cwd: project, env: { BASE_SHA: baseSha, PROJECT_DIR: '.' } });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const path = join(scratch, 'runner-temp', 'ferry', 'base.lock');
    expect(result.outputs).toEqual({ path });
    expect(await readFile(path, 'utf8')).toBe(
      `${(await git(['show', `${baseSha}:warehouse/ferry.lock`])).stdout}\n`,
    );
    const missing = await runStep('base', {
      cwd: project,
      env: { BASE_SHA: '0'.repeat(40), PROJECT_DIR: '.' },
    });
    expect(missing.exitCode).toBe(0);
    expect(missing.outputs).toEqual({});
    expect(missing.stdout).toContain(
      '::warning title=ferry::the base commit 0000000000000000000000000000000000000000 could not be fetched',
    );
  });

  it('plans, dry-runs and reports, leaving the comment, the artifact and the outputs', async () => {
    const summary = join(scratch, 'summary.md');
    await writeFile(summary, '');
    const result = await runStep('run', {
      cwd: project,
      env: {
        ...env,
        GITHUB_STEP_SUMMARY: summary,
        FERRY_CMD: `node ${FERRY_BIN}`,
        COMMAND: 'plan',
        PROJECT_DIR: '.',
        DRY_RUN: 'true',
        DRY_RUN_LIMIT: '10',
        BASE_LOCK: join(scratch, 'runner-temp', 'ferry', 'base.lock'),
        PLAN_FILE: '',
        COMMENT_KEY: 'warehouse',
        ARGS: '',
        RUN_URL: 'https://github.com/acme/warehouse/actions/runs/9',
      },
    });
    expect(result.stderr).toBe('');
    const dir = join(scratch, 'runner-temp', 'ferry', 'out');
    expect(result.outputs).toEqual({
      'decisions-pending': '0',
      migrations: '2',
      changed: 'orders',
      removed: '',
      'report-path': join(dir, 'comment.md'),
      'report-shortened': 'false',
      'exit-code': '0',
      'comment-file': join(dir, 'comment.md'),
      'plan-file': join(dir, 'plan.json'),
      'artifact-dir': dir,
      'dry-run': 'true',
      paused: 'false',
      done: '2',
    });
    expect(result.exitCode).toBe(0);
    const comment = await readFile(join(dir, 'comment.md'), 'utf8');
    expect(comment.split('\n')[0]).toBe('<!-- ferry:plan-report warehouse -->');
    // --limit 10 samples each table: the orders whose customer is not among the first ten are skipped.
    expect(comment).toContain(
      '| ✱ changed | `orders` | `legacy.orders` → `app.orders` | ~60 | preserve | not applied | ✓ 9 rows (1 skipped) | ✓ |',
    );
    expect(comment).toContain('Full report and plan: [github.com/acme/warehouse/actions/runs/9]');
    expect(await readFile(join(dir, 'report.md'), 'utf8')).toBe(comment);
    // Saved with --out: what `ferry --json plan` prints, and what it was made against.
    expect(Object.keys(JSON.parse(await readFile(join(dir, 'plan.json'), 'utf8'))).sort()).toEqual([
      'base',
      'basis',
      'decisionsPending',
      'diagnostics',
      'lock',
      'ok',
      'plan',
    ]);
    const summaryText = await readFile(summary, 'utf8');
    expect(summaryText).toContain('### ferry plan\n');
    expect(summaryText).toContain(
      '### ferry apply --dry-run: 2 of 2 migrations would finish; the target is unchanged',
    );
  });

  it('applies the saved plan once, plans again without one; refuses a command it does not know', async () => {
    const saved = join(scratch, 'saved-plan.json');
    const common = {
      ...env,
      GITHUB_STEP_SUMMARY: join(scratch, 'apply-summary.md'),
      FERRY_CMD: `node ${FERRY_BIN}`,
      PROJECT_DIR: '.',
      DRY_RUN: 'false',
      DRY_RUN_LIMIT: '',
      BASE_LOCK: '',
      PLAN_FILE: saved,
      COMMENT_KEY: '',
      ARGS: '',
      RUN_URL: 'https://github.com/acme/warehouse/actions/runs/10',
    };
    const planned = await runStep('run', { cwd: project, env: { ...common, COMMAND: 'plan' } });
    expect(planned.outputs['exit-code']).toBe('0');
    expect(planned.outputs['plan-file']).toBe(saved);
    const applied = await runStep('run', { cwd: project, env: { ...common, COMMAND: 'apply' } });
    expect(applied.stderr).toBe('');
    expect(applied.outputs['exit-code']).toBe('0');
    expect(applied.outputs['plan-file']).toBe(saved);
    expect(applied.stdout).toContain('✓ 2 of 2 migrations done');
    const [count] = await workload.target.query<{ n: number }>('SELECT count(*)::int AS n FROM app.orders');
    expect(count?.n).toBe(60);
    // The apply moved the target's state: the same saved plan is stale now.
    const again = await runStep('run', { cwd: project, env: { ...common, COMMAND: 'apply' } });
    expect(again.outputs['exit-code']).toBe('1');
    expect(again.stderr).toContain(
      `::error title=ferry apply.plan-stale::${saved} is stale: the target's state of \`customers\` moved`,
    );
    const replanned = await runStep('run', {
      cwd: project,
      env: { ...common, COMMAND: 'apply', PLAN_FILE: '' },
    });
    expect(replanned.outputs['exit-code']).toBe('0');
    expect(replanned.stdout).toContain('✓ 2 of 2 migrations done');

    const unknown = await runStep('run', { cwd: project, env: { ...common, COMMAND: 'deploy' } });
    expect(unknown.exitCode).toBe(0);
    expect(unknown.outputs['exit-code']).toBe('1');
    expect(unknown.stdout).toContain(
      "::error title=ferry::unknown command 'deploy': use validate, plan, apply, diff or verify",
    );
  });
});

describe.skipIf(!(await hasJq()))('the action’s pull-request comment', () => {
  let bin: string;
  let body: string;

  beforeAll(async () => {
    bin = await mkdtemp(join(scratch, 'bin-'));
    // A stand-in for the GitHub CLI: records its arguments, lists the comments it is given.
    await writeFile(
      join(bin, 'gh'),
      '#!/usr/bin/env bash\necho "$*" >> "$GH_LOG"\nif [ "$1 $2" = "api --paginate" ]; then cat "$GH_COMMENTS"; exit 0; fi\n[ -z "${GH_FAIL:-}" ]\n',
    );
    await chmod(join(bin, 'gh'), 0o755);
    body = join(scratch, 'comment.md');
    await writeFile(body, '<!-- ferry:plan-report -->\n### ferry plan\n');
  });

  async function comment(existing: readonly (readonly { id: number; body: string }[])[], fail = false) {
    const dir = await mkdtemp(join(scratch, 'gh-'));
    await writeFile(join(dir, 'comments.json'), existing.map((page) => JSON.stringify(page)).join('\n'));
    const result = await runStep('Comment on the pull request', {
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        GH_LOG: join(dir, 'log'),
        GH_COMMENTS: join(dir, 'comments.json'),
        ...(fail ? { GH_FAIL: '1' } : {}),
        GH_TOKEN: 'token',
        REPO: 'acme/warehouse',
        PR: '7',
        BODY: body,
      },
    });
    const log = await readFile(join(dir, 'log'), 'utf8').catch(() => '');
    return { ...result, calls: log.trim().split('\n') };
  }

  it('updates the comment that starts with the marker, on any page', async () => {
    const result = await comment([
      [{ id: 1, body: 'looks good' }],
      [
        { id: 41, body: '<!-- ferry:plan-report other-project -->\n…' },
        { id: 42, body: '<!-- ferry:plan-report -->\n### ferry plan\nolder' },
      ],
    ]);
    expect(result.exitCode).toBe(0);
    expect(result.calls).toEqual([
      'api --paginate repos/acme/warehouse/issues/7/comments',
      `api --method PATCH repos/acme/warehouse/issues/comments/42 -F body=@${body}`,
    ]);
  });

  it('posts a new comment when none has the marker, and only warns when it cannot', async () => {
    const fresh = await comment([[{ id: 41, body: '<!-- ferry:plan-report other-project -->' }]]);
    expect(fresh.exitCode).toBe(0);
    expect(fresh.calls.at(-1)).toBe(`pr comment 7 --repo acme/warehouse --body-file ${body}`);
    const refused = await comment([[]], true);
    expect(refused.exitCode).toBe(0);
    expect(refused.stdout).toContain('::warning title=ferry::could not comment on the pull request');
  });
});

async function hasJq(): Promise<boolean> {
  const found = await execa('jq', ['--version'], { reject: false });
  if (found.exitCode === 0) return true;
  console.log('action comment test skipped: jq is not installed (the Actions runners have it)');
  return false;
}
