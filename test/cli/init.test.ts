// `ferry init` as a new user runs it: drafts that validate, name the right source tables, carry the
// non-obvious mappings and references, plan cleanly, never contain a URL, and never overwrite specs.

import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runFerry } from '../support/cli.js';
import { buildWorkload, HR_FILES, referenceWorkload, type Workload } from '../support/workload.js';

let reference: Workload;
let hr: Workload;

beforeAll(async () => {
  reference = await referenceWorkload('init');
  hr = await buildWorkload('init_hr', HR_FILES);
});

afterAll(async () => {
  await reference.drop();
  await hr.drop();
});

async function initInto(workload: Workload, args: string[] = []) {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-init-'));
  const result = await runFerry(
    ['init', '--source', workload.source.url, '--target', workload.target.url, ...args],
    {
      cwd: dir,
    },
  );
  return { dir, result };
}

async function drafts(dir: string): Promise<Map<string, Record<string, unknown>>> {
  const names = (await readdir(join(dir, 'specs'))).sort();
  const entries = await Promise.all(
    names.map(async (name) => [name, parse(await readFile(join(dir, 'specs', name), 'utf8'))] as const),
  );
  return new Map(entries);
}

describe('ferry init', () => {
  it('drafts the reference workload as a reviewer would write it', async () => {
    const { dir, result } = await initInto(reference, [
      '--source-schema',
      'legacy',
      '--target-schema',
      'app',
    ]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('✓ drafted 5 migrations in specs/');
    const files = await drafts(dir);
    expect([...files.keys()]).toEqual([
      'brackets.yaml',
      'case_file_tags.yaml',
      'case_files.yaml',
      'ferry.yaml',
      'orders.yaml',
      'tags.yaml',
    ]);
    expect(files.get('ferry.yaml')).toEqual({
      version: 1,
      source: { url: '${env:FERRY_SOURCE_URL}', schema: 'legacy' },
      target: { url: '${env:FERRY_TARGET_URL}', schema: 'app' },
      defaults: { batchSize: 'auto', onError: 'pause' },
      agents: ['schema', 'mapping', 'planning'],
    });
    expect(files.get('orders.yaml')).toEqual({
      migration: 'orders',
      from: 'legacy.dispatch_order',
      to: 'app.orders',
      columns: {
        case_file_id: { from: 'casefile_id', ref: 'case_files' },
        amount: { expr: 'amount_cents / 100.0' },
      },
    });
    expect(files.get('case_files.yaml')).toMatchObject({
      from: 'legacy.dispatch_casefile',
      columns: { active: { expr: 'is_active <> 0' }, bracket_id: { ref: 'brackets' } },
    });
    expect(files.get('brackets.yaml')).toMatchObject({ columns: { name: { from: 'bracket_name' } } });
    const texts = await Promise.all([...files.keys()].map((f) => readFile(join(dir, 'specs', f), 'utf8')));
    expect(texts.join('\n')).not.toContain(reference.source.url);

    const env = reference.env;
    const validate = await runFerry(['validate'], { cwd: dir, env });
    expect(validate.stdout).toBe('✓ specs are valid: 5 migrations in 3 layers');
    const plan = await runFerry(['plan'], { cwd: dir, env });
    expect(plan.exitCode).toBe(0);
  });

  it('matches every table of the hr example and drafts specs that validate', async () => {
    const { dir, result } = await initInto(hr, ['--target-schema', 'hr']);
    expect(result.exitCode).toBe(0);
    const files = await drafts(dir);
    const pairs = [...files.values()]
      .filter((d) => 'migration' in d)
      .map((d) => `${String(d.from)} → ${String(d.to)}`)
      .sort();
    expect(pairs).toEqual([
      'legacy_hr.tbl_dept → hr.departments',
      'legacy_hr.tbl_emp → hr.employees',
      'legacy_hr.tbl_job → hr.jobs',
      'legacy_hr.tbl_job_history → hr.job_history',
    ]);
    const validate = await runFerry(['validate', '--offline'], { cwd: dir });
    expect(validate.exitCode).toBe(0);
  });

  it('refuses to overwrite specs that exist, unless --force', async () => {
    const { dir } = await initInto(reference);
    const again = await runFerry(
      ['init', '--source', reference.source.url, '--target', reference.target.url],
      { cwd: dir },
    );
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/error\[init\.exists\]: .*specs already holds 6 spec files/);
    const forced = await runFerry(
      ['init', '--force', '--source', reference.source.url, '--target', reference.target.url],
      {
        cwd: dir,
      },
    );
    expect(forced.exitCode).toBe(0);
  });
});
