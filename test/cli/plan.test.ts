// `ferry plan` against real databases: the plan and ferry.lock for the reference workload, the lock's
// life (reused, frozen, stale, updated), decisions that hold apply back, and no password anywhere.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Lockfile } from '../../src/lock/lockfile.js';
import { runFerry } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { referenceWorkload, type Workload } from '../support/workload.js';

const PASSWORD = 'Pl4n-S3cret-9f2c';
const ROLE = `ferry_plan_${process.pid}`;

let workload: Workload;
let admin: TestDatabase;
let env: Record<string, string>;

function withRole(url: string): string {
  const parsed = new URL(url);
  parsed.username = ROLE;
  parsed.password = PASSWORD;
  return parsed.toString();
}

beforeAll(async () => {
  workload = await referenceWorkload('plan');
  admin = await createTestDatabase('plan_admin');
  await admin.query(`CREATE ROLE "${ROLE}" LOGIN SUPERUSER PASSWORD '${PASSWORD}'`);
  env = { FERRY_SOURCE_URL: withRole(workload.source.url), FERRY_TARGET_URL: withRole(workload.target.url) };
});

afterAll(async () => {
  await workload.drop();
  await admin.query(`DROP ROLE IF EXISTS "${ROLE}"`);
  await admin.drop();
});

const plan = (args: string[] = [], extraEnv: Record<string, string> = {}) =>
  runFerry(['plan', ...args], { cwd: workload.projectDir, env: { ...env, ...extraEnv } });

async function readLock(): Promise<{ text: string; lock: Lockfile }> {
  const text = await readFile(join(workload.projectDir, 'ferry.lock'), 'utf8');
  return { text, lock: parse(text) as Lockfile };
}

describe('ferry plan', () => {
  it('resolves the reference workload and writes ferry.lock', async () => {
    const result = await plan();
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Plan: 5 migrations in 3 layers');
    expect(result.stdout).toContain('ferry.lock written');
    const { lock } = await readLock();
    expect(Object.keys(lock.migrations)).toEqual([
      'brackets',
      'case_file_tags',
      'case_files',
      'orders',
      'tags',
    ]);
    const orders = lock.migrations.orders;
    expect(orders?.columns.amount).toEqual({ expr: 'amount_cents / 100.0', origin: 'declared' });
    expect(orders?.columns.case_file_id).toEqual({
      from: 'casefile_id',
      ref: 'case_files',
      origin: 'declared',
    });
    expect(orders?.columns.id).toMatchObject({ from: 'id', origin: 'inferred', agent: 'mapping' });
    expect(orders?.columns.currency).toMatchObject({
      from: 'currency',
      origin: 'inferred',
      agent: 'mapping',
    });
    expect(lock.migrations.brackets?.class).toMatchObject({ class: 'catalog', origin: 'declared' });
    expect(lock.migrations.case_file_tags?.class).toMatchObject({
      class: 'transactional',
      shape: 'junction',
      agent: 'schema',
    });
    expect(lock.migrations.case_file_tags?.columns.tag_id).toMatchObject({
      from: 'tag_id',
      ref: 'tags',
      agent: 'mapping',
    });
    expect(orders?.batch).toMatchObject({ key: ['id'], agent: 'planning' });
    expect(orders?.source).toEqual({
      table: 'legacy.dispatch_order',
      fingerprint: expect.stringMatching(/^sha256:/),
    });
  });

  it('leaves an up-to-date lock byte for byte as it was, and passes --frozen-lock', async () => {
    const before = await readLock();
    const again = await plan();
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('ferry.lock is up to date');
    expect((await readLock()).text).toBe(before.text);
    const frozen = await plan(['--frozen-lock']);
    expect(frozen.exitCode).toBe(0);
  });

  it('reuses pinned decisions instead of asking the agents again, unless --update-lock', async () => {
    const { text } = await readLock();
    const edited = text.replace('reason: same name and type }', 'reason: pinned by a reviewer }');
    expect(edited).not.toBe(text);
    await writeFile(join(workload.projectDir, 'ferry.lock'), edited);
    await plan();
    expect((await readLock()).text).toContain('reason: pinned by a reviewer');
    const updated = await plan(['--update-lock']);
    expect(updated.exitCode).toBe(0);
    expect((await readLock()).text).toBe(text);
  });

  it('--frozen-lock names every change that made the lock stale', async () => {
    const specPath = join(workload.projectDir, 'specs', 'tags.yaml');
    const spec = await readFile(specPath, 'utf8');
    await writeFile(specPath, `${spec}columns:\n  label: { expr: "upper(label)" }\n`);
    await workload.target.query('ALTER TABLE app.orders ADD COLUMN note text');
    try {
      const lockBefore = (await readLock()).text;
      const result = await plan(['--frozen-lock']);
      expect(result.exitCode).toBe(1);
      const errors = result.stderr.split('\n').filter((l) => l.includes('error['));
      expect(errors).toEqual([
        'specs/orders.yaml:3:1: error[lock.stale]: ferry.lock is stale: target table app.orders changed structure since ferry.lock was written',
        'specs/tags.yaml:3:1: error[lock.stale]: ferry.lock is stale: the spec of `tags` changed (specs/tags.yaml)',
      ]);
      expect((await readLock()).text).toBe(lockBefore);
    } finally {
      await writeFile(specPath, spec);
      await workload.target.query('ALTER TABLE app.orders DROP COLUMN note');
    }
  });

  it('exits 2 with the YAML to paste when a NOT NULL column has no source', async () => {
    await workload.target.query(`ALTER TABLE app.tags ADD COLUMN colour text NOT NULL DEFAULT 'grey'`);
    await workload.target.query('ALTER TABLE app.tags ALTER COLUMN colour DROP DEFAULT');
    try {
      const result = await plan();
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toContain('Decisions to take (1)');
      expect(result.stdout).toContain('tags.colour');
      expect(result.stdout).toMatch(/columns:\n\s+colour: \{/);
      const { lock } = await readLock();
      expect(lock.migrations.tags?.decisions?.map((d) => d.column)).toEqual(['colour']);
      const frozen = await plan(['--frozen-lock']);
      expect(frozen.exitCode).toBe(2);
    } finally {
      await workload.target.query('ALTER TABLE app.tags DROP COLUMN colour');
      await plan();
    }
  });

  it('lets an external agent settle what the built-ins could not, never showing it the connection URLs', async () => {
    const agentPath = join(workload.projectDir, 'house-rules.mjs');
    await writeFile(
      agentPath,
      [
        "let input = '';",
        "process.stdin.on('data', (c) => (input += c)).on('end', () => {",
        '  const request = JSON.parse(input);',
        "  const leaked = Object.values(process.env).some((v) => String(v).includes('FERRY_') || String(v).includes('postgres://'));",
        "  const proposals = request.migrations.filter((m) => m.openColumns.includes('colour')).map((m) => ({",
        "    kind: 'column', migration: m.name, column: 'colour', expr: \"'grey'\", confidence: 0.9,",
        "    reason: leaked ? 'saw a connection URL' : 'house rule: every tag starts grey' }));",
        '  process.stdout.write(JSON.stringify({ proposals }));',
        '});',
      ].join('\n'),
    );
    const projectFile = join(workload.projectDir, 'specs', 'ferry.yaml');
    const project = await readFile(projectFile, 'utf8');
    await writeFile(
      projectFile,
      project.replace(
        'agents: [schema, mapping, planning]',
        'agents: [schema, mapping, planning, { name: house-rules, command: [node, house-rules.mjs], roles: [mapping] }]',
      ),
    );
    await workload.target.query(`ALTER TABLE app.tags ADD COLUMN colour text NOT NULL DEFAULT 'grey'`);
    await workload.target.query('ALTER TABLE app.tags ALTER COLUMN colour DROP DEFAULT');
    try {
      const result = await plan([], { FERRY_EXTRA: 'kept' });
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      const { lock } = await readLock();
      expect(lock.migrations.tags?.columns.colour).toEqual({
        expr: "'grey'",
        origin: 'inferred',
        agent: 'house-rules',
        confidence: 0.9,
        reason: 'house rule: every tag starts grey',
      });
    } finally {
      await writeFile(projectFile, project);
      await workload.target.query('ALTER TABLE app.tags DROP COLUMN colour');
      await plan();
    }
  });

  it('never prints or writes the connection password', async () => {
    const outputs = await Promise.all([
      plan(),
      plan(['--format', 'json']),
      plan(['--format', 'markdown']),
      plan(['--json']),
    ]);
    for (const output of outputs) {
      expect(output.exitCode).toBe(0);
      expect(output.stdout + output.stderr).not.toContain(PASSWORD);
    }
    expect((await readLock()).text).not.toContain(PASSWORD);
    expect(JSON.parse(outputs[1]?.stdout ?? '{}')).toMatchObject({ ok: true, decisionsPending: 0 });
    expect(outputs[2]?.stdout).toContain('### ferry plan\n\n**5 migrations** in 3 layers');
  });

  it('explains a connection failure with the password masked', async () => {
    const result = await plan([], { FERRY_SOURCE_URL: `postgres://someone:${PASSWORD}@127.0.0.1:1/nowhere` });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'error[connection.failed]: cannot connect to the source (postgres://someone:****@127.0.0.1:1/nowhere)',
    );
    expect(result.stderr + result.stdout).not.toContain(PASSWORD);
  });

  it('tries every value on the source and reports what PostgreSQL refuses, where the spec says it', async () => {
    const specPath = join(workload.projectDir, 'specs', 'orders.yaml');
    const spec = await readFile(specPath, 'utf8');
    await writeFile(
      specPath,
      spec
        .replace(
          'amount: { expr: "amount_cents / 100.0" }',
          'amount: { expr: "placed_at" }\n  currency: { expr: "upper(curency)" }',
        )
        .concat('where: "amount_cents"\n'),
    );
    try {
      const result = await plan();
      expect(result.exitCode).toBe(1);
      expect(result.stderr.split('\n').filter((l) => l.includes('error['))).toEqual([
        'specs/orders.yaml:3:1: error[catalog.expression]: orders where: argument of WHERE must be type boolean, not type integer',
        'specs/orders.yaml:8:3: error[catalog.expression]: orders.amount: cannot cast type timestamp without time zone to numeric',
        'specs/orders.yaml:9:3: error[catalog.expression]: orders.currency: column "curency" does not exist',
      ]);
      expect((await readLock()).text).not.toContain('placed_at }');
    } finally {
      await writeFile(specPath, spec);
    }
  });

  it('names a table that does not exist, with a suggestion', async () => {
    const specPath = join(workload.projectDir, 'specs', 'orders.yaml');
    const spec = await readFile(specPath, 'utf8');
    await writeFile(specPath, spec.replace('legacy.dispatch_order', 'legacy.dispatch_ordr'));
    try {
      const result = await plan();
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(
        'specs/orders.yaml:4:7: error[catalog.unknown-table]: source table legacy.dispatch_ordr does not exist',
      );
      expect(result.stderr).toContain('hint: did you mean `legacy.dispatch_order`?');
    } finally {
      await writeFile(specPath, spec);
    }
  });
});
