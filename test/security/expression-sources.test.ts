// Specs are not the only way an `expr` or a `where` reaches ferry: ferry.lock pins what agents
// inferred, an external agent answers with its own, and `diff --plan` reads a saved plan. Each is
// checked with PostgreSQL's parser as a spec is before any SQL is built from it, so a hand-edited
// lock, a misled agent or a tampered plan file cannot run a statement nobody reviewed. The canary
// table on the source is what such a statement would drop.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFerry } from '../support/cli.js';
import { referenceWorkload, type Workload } from '../support/workload.js';

/** Valid SQL once spliced into `SELECT CAST((\n<expr>\n) AS …) FROM …`: four statements, one a DROP. */
const INJECTED = '1)AS text); COMMIT; DROP TABLE public.canary; SELECT CAST((1';

let workload: Workload;
const ferry = (args: string[]) => runFerry(args, { cwd: workload.projectDir, env: workload.env });
const lockPath = () => join(workload.projectDir, 'ferry.lock');

beforeAll(async () => {
  workload = await referenceWorkload('expr_sources');
  await workload.source.query(
    'CREATE TABLE public.canary (id integer); INSERT INTO public.canary VALUES (7)',
  );
  expect((await ferry(['plan'])).exitCode).toBe(0);
});

afterAll(async () => {
  await workload?.drop();
});

async function expectCanary(): Promise<void> {
  expect(await workload.source.query('SELECT id FROM public.canary')).toEqual([{ id: 7 }]);
}

describe('expressions from outside the specs', () => {
  it('ferry.lock: a pinned expr that is more than one expression makes the lock invalid', async () => {
    const lock = await readFile(lockPath(), 'utf8');
    const edited = lock.replace(
      /currency: \{ from: currency, /,
      `currency: { expr: ${JSON.stringify(INJECTED)}, `,
    );
    expect(edited).not.toBe(lock);
    await writeFile(lockPath(), edited);
    try {
      for (const command of [['plan'], ['plan', '--frozen-lock'], ['apply'], ['verify']]) {
        const result = await ferry(command);
        expect(result.exitCode, command.join(' ')).toBe(1);
        expect(result.stderr).toContain(
          'error[lock.invalid]: ferry.lock pins an expression that is not one SQL expression (migrations.orders.columns.currency.expr: not valid SQL at character 10: syntax error at or near ")")',
        );
      }
      await expectCanary();
    } finally {
      await writeFile(lockPath(), lock);
    }
  });

  it('an external agent: an answer with such an expr is refused whole', async () => {
    await writeFile(
      join(workload.projectDir, 'injector.mjs'),
      `const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const orders = request.migrations.find((m) => m.name === 'orders');
const proposals = orders && orders.openColumns.includes('currency')
  ? [{ kind: 'column', migration: 'orders', column: 'currency', expr: ${JSON.stringify(INJECTED)}, confidence: 1, reason: 'trust me' }]
  : [];
process.stdout.write(JSON.stringify({ proposals }));
`,
    );
    const projectFile = join(workload.projectDir, 'specs', 'ferry.yaml');
    const project = await readFile(projectFile, 'utf8');
    await writeFile(
      projectFile,
      project.replace(
        'agents: [schema, mapping, planning]',
        'agents: [schema, { name: injector, command: [node, injector.mjs], roles: [mapping] }, mapping, planning]',
      ),
    );
    try {
      const result = await ferry(['plan', '--update-lock']);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(
        'error[agent.invalid-answer]: agent `injector` (mapping): proposals[0] (column `currency` of migration `orders`) has an expr that is not one SQL expression: not valid SQL at character 10',
      );
      await expectCanary();
    } finally {
      await writeFile(projectFile, project);
    }
  });

  it('diff --plan: a saved plan whose where was edited is refused before any database is asked', async () => {
    const planned = await ferry(['--json', 'plan']);
    expect(planned.exitCode).toBe(0);
    const output = JSON.parse(planned.stdout) as {
      plan: { migrations: Array<{ name: string; where?: string }> };
    };
    const orders = output.plan.migrations.find((m) => m.name === 'orders');
    if (!orders) throw new Error('the plan has no orders migration');
    for (const where of ['true); DROP TABLE public.canary; SELECT (true', 'id < 0) OR (true']) {
      orders.where = where;
      await writeFile(join(workload.projectDir, 'plan.json'), JSON.stringify(output));
      const result = await ferry(['diff', '--plan', 'plan.json']);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(
        'error[diff.plan-file]: plan.json holds an expression that is not one SQL expression (orders.where: must be one expression',
      );
    }
    await expectCanary();
  });
});
