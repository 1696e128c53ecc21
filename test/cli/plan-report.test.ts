// The pull-request report on the reference workload, as a pull request meets it: the base branch had
// four migrations and applied them; the branch adds `orders` and edits `case_files`. `plan --format
// markdown` and `report` (with a dry run) are held to snapshots; under GitHub Actions the same runs
// write the job summary, step outputs and annotations.

import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectApplyFinished, runFerry } from '../support/cli.js';
import { referenceWorkload, type Workload } from '../support/workload.js';

let workload: Workload;
let files: string;
let ordersSpec: string;

const ferry = (args: string[], env: Record<string, string> = {}) =>
  runFerry(args, { cwd: workload.projectDir, env: { ...workload.env, ...env } });

const specPath = (name: string) => join(workload.projectDir, 'specs', `${name}.yaml`);

/** The source time zone line depends on the server's default zone: left out of the snapshots. */
function withoutTimeZone(markdown: string): string {
  return markdown.replace(/^(> \*\*)?Source time zone .*\n\n/m, '');
}

/** What the Actions runner would read back from a $GITHUB_OUTPUT file. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^([\w-]+)<<(ghadelimiter_[0-9a-f-]{36})\n([\s\S]*?)\n?\2\n/gm;
  let consumed = 0;
  for (const match of text.matchAll(pattern)) {
    expect(match.index).toBe(consumed);
    outputs[match[1] as string] = match[3] as string;
    consumed = (match.index ?? 0) + match[0].length;
  }
  expect(consumed).toBe(text.length);
  return outputs;
}

async function githubEnv(): Promise<{ env: Record<string, string>; summary: string; output: string }> {
  const dir = await mkdtemp(join(files, 'gh-'));
  const summary = join(dir, 'summary.md');
  const output = join(dir, 'output');
  await writeFile(summary, '');
  await writeFile(output, '');
  return {
    env: {
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: output,
      GITHUB_WORKSPACE: dirname(workload.projectDir),
    },
    summary,
    output,
  };
}

beforeAll(async () => {
  workload = await referenceWorkload('plan_report');
  files = await mkdtemp(join(tmpdir(), 'ferry-report-'));
  // The base branch: every migration but orders, planned and applied.
  ordersSpec = await readFile(specPath('orders'), 'utf8');
  await rm(specPath('orders'));
  expect((await ferry(['plan'])).exitCode).toBe(0);
  await copyFile(join(workload.projectDir, 'ferry.lock'), join(workload.projectDir, 'base.lock'));
  const gh = await githubEnv();
  const applied = await ferry(['apply'], gh.env);
  expectApplyFinished(applied, 4);
  expect(await readFile(gh.summary, 'utf8')).toBe(
    [
      '### ferry apply: 4 of 4 migrations done',
      '',
      '| migration | result |',
      '| --- | --- |',
      '| `brackets` | ✓ 1,569 rows |',
      '| `tags` | ✓ 500 rows |',
      '| `case_files` | ✓ 1,000 rows |',
      '| `case_file_tags` | ✓ 1,998 rows |',
      '',
      '',
    ].join('\n'),
  );
  expect(parseOutputs(await readFile(gh.output, 'utf8'))).toEqual({
    'dry-run': 'false',
    paused: 'false',
    done: '4',
    migrations: '4',
    'exit-code': '0',
  });
  // The pull request: orders added, the boolean of case_files read another way.
  await writeFile(specPath('orders'), ordersSpec);
  const caseFiles = await readFile(specPath('case_files'), 'utf8');
  await writeFile(specPath('case_files'), caseFiles.replace('"is_active <> 0"', '"is_active = 1"'));
});

afterAll(async () => {
  await workload.drop();
  await rm(files, { recursive: true, force: true });
});

describe('the pull-request report', () => {
  it('plan --format markdown: changes against the base lock, status against _ferry, summary and outputs', async () => {
    const gh = await githubEnv();
    const result = await ferry(['plan', '--format', 'markdown', '--base-lock', 'base.lock'], gh.env);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    await expect(withoutTimeZone(result.stdout)).toMatchFileSnapshot('__snapshots__/plan-report.md');
    // The job summary holds the same report (it is far below both bounds).
    expect(await readFile(gh.summary, 'utf8')).toBe(`${result.stdout}\n\n`);
    expect(parseOutputs(await readFile(gh.output, 'utf8'))).toEqual({
      'decisions-pending': '0',
      migrations: '5',
      changed: 'case_files\ncase_file_tags\norders',
      removed: '',
      'exit-code': '0',
    });
  });

  it('report: the saved plan with what the dry run met, in a file and whole in another', async () => {
    const saved = await ferry(['--json', 'plan', '--frozen-lock']);
    expect(saved.exitCode).toBe(0);
    await writeFile(join(files, 'plan.json'), saved.stdout);
    const dryRun = await ferry(['--json', 'apply', '--dry-run']);
    expect(dryRun.exitCode).toBe(0);
    await writeFile(join(files, 'dry-run.ndjson'), dryRun.stdout);

    const gh = await githubEnv();
    const comment = join(files, 'comment.md');
    const result = await ferry(
      [
        'report',
        '--plan',
        join(files, 'plan.json'),
        '--dry-run',
        join(files, 'dry-run.ndjson'),
        '--base-lock',
        'base.lock',
        '--artifact-url',
        'https://github.com/acme/warehouse/actions/runs/7',
        '--comment-key',
        'warehouse',
        '--out',
        comment,
        '--full-out',
        join(files, 'full.md'),
      ],
      gh.env,
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('');
    expect(result.exitCode).toBe(0);
    const markdown = await readFile(comment, 'utf8');
    await expect(withoutTimeZone(markdown)).toMatchFileSnapshot('__snapshots__/plan-report-dry-run.md');
    expect(await readFile(join(files, 'full.md'), 'utf8')).toBe(markdown);
    // `report` writes no job summary: `plan` and `apply` already did, and the report is the comment.
    expect(await readFile(gh.summary, 'utf8')).toBe('');
    expect(parseOutputs(await readFile(gh.output, 'utf8'))).toEqual({
      'report-path': comment,
      'report-shortened': 'false',
      'decisions-pending': '0',
      migrations: '5',
      changed: 'case_files\ncase_file_tags\norders',
      removed: '',
      'exit-code': '0',
    });
  });

  it('report: a plan that failed becomes the list of what to fix, with annotations from plan itself', async () => {
    const tags = await readFile(specPath('tags'), 'utf8');
    await writeFile(specPath('tags'), `${tags}columns:\n  label: { expr: "upper(label)" }\n`);
    try {
      const gh = await githubEnv();
      const failed = await ferry(['--json', 'plan', '--frozen-lock'], gh.env);
      expect(failed.exitCode).toBe(1);
      const project = basename(workload.projectDir);
      expect(failed.stderr.split('\n')).toContain(
        `::error file=${project}/specs/tags.yaml,line=3,col=1,title=ferry lock.stale::ferry.lock is stale: the spec of \`tags\` changed (specs/tags.yaml)%0Arun \`ferry plan\` without --frozen-lock, review the diff of ferry.lock and commit it`,
      );
      expect(parseOutputs(await readFile(gh.output, 'utf8'))).toEqual({ 'exit-code': '1' });
      await writeFile(join(files, 'failed.json'), failed.stdout);
      const report = await ferry(['report', '--plan', join(files, 'failed.json')]);
      expect(report.exitCode).toBe(0);
      expect(report.stdout).toBe(
        [
          '<!-- ferry:plan-report -->',
          '### ferry plan failed',
          '',
          '1 problem to fix before this can be planned:',
          '',
          '- `specs/tags.yaml:3:1` **lock.stale**: ferry.lock is stale: the spec of `tags` changed (specs/tags.yaml) (run `ferry plan` without --frozen-lock, review the diff of ferry.lock and commit it)',
        ].join('\n'),
      );
    } finally {
      await writeFile(specPath('tags'), tags);
    }
  });

  it('graph and diff select state:modified against the base lock, and need it to', async () => {
    const base = 'base.lock';
    const graph = await ferry([
      'graph',
      '--format',
      'json',
      '--select',
      'state:modified',
      '--base-lock',
      base,
    ]);
    expect(graph.exitCode).toBe(0);
    expect((JSON.parse(graph.stdout) as { layers: string[][] }).layers).toEqual([
      ['case_files'],
      ['case_file_tags', 'orders'],
    ]);
    const mermaid = await ferry(['graph', '--format', 'mermaid', '--base-lock', base]);
    // Output ends with a newline, which the test helper trims.
    expect(mermaid.stdout.endsWith('  class m2,m4 changed\n  class m3 affected')).toBe(true);

    const diff = await ferry(['diff', '--format', 'json', '--select', 'state:modified', '--base-lock', base]);
    expect(diff.exitCode).toBe(2);
    const { differences } = JSON.parse(diff.stdout) as { differences: { migration: string; kind: string }[] };
    expect(differences.map((d) => `${d.migration} ${d.kind}`)).toEqual([
      'orders not-applied',
      'case_files mapping-changed',
    ]);

    const missing = await ferry(['graph', '--select', 'state:modified']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toBe(
      'error[select.no-base-lock]: `state:modified` needs the base branch’s lockfile\n  hint: pass --base-lock FILE, written by: git show "$BASE_SHA:ferry.lock" > base.lock',
    );
    const unreadable = await ferry(['graph', '--base-lock', join(files, 'no-such.lock')]);
    expect(unreadable.exitCode).toBe(1);
    expect(unreadable.stderr).toContain('error[select.base-lock]: cannot read the base lockfile');
  });
});
