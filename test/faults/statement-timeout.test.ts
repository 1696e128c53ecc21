// A statement timeout on the target: a batch whose COPY into the target outlasts the target's
// statement_timeout is cut in half until its pieces fit, and every row is moved once. The source's
// statement timeout is test/runner/halve.test.ts; this is the target's, on the reference workload.

import { describe, expect, it } from 'vitest';
import { expectTablesAgree, REFERENCE_CHECKS } from '../support/checksums.js';
import { expectApplyFinished } from '../support/cli.js';
import { referenceWorkload } from '../support/workload.js';
import { withFaultProject } from './fault-project.js';

describe('a statement timeout on the target', () => {
  it(
    'halves the batch that met it until the pieces fit; every row moved once',
    async () =>
      withFaultProject(await referenceWorkload('fault_timeout', '0.001'), 'app', async (project) => {
        // 2,000 orders in 2 batches; the target takes 2 ms a row, so a batch of 1,000 rows takes 2 s.
        await project.setBatchSizes({ orders: 1000 });
        await project.workload.target.query(`
        CREATE FUNCTION app.slow_insert() RETURNS trigger LANGUAGE plpgsql
          AS $$ BEGIN PERFORM pg_sleep(0.002); RETURN NEW; END $$;
        CREATE TRIGGER slow_insert BEFORE INSERT ON app.orders FOR EACH ROW EXECUTE FUNCTION app.slow_insert();
        ALTER DATABASE "${project.workload.target.name}" SET statement_timeout = '1s';`);

        const applied = await project.ferry(['apply']);
        expectApplyFinished(applied, 5);
        expect(applied.stdout).toMatch(
          /^orders: batch 1 halved \(canceling statement due to statement timeout\); its second half is batch \d+$/m,
        );
        expect(applied.stdout).toMatch(
          /^orders: batch 2 halved \(canceling statement due to statement timeout\); its second half is batch \d+$/m,
        );
        const batches = await project.batches('orders');
        expect(batches.length).toBeGreaterThanOrEqual(4);
        // The halves tile the rows: each done once, none above half the first batch's size.
        expect(batches.every((b) => b.status === 'done' && (b.rows ?? 0) <= 500)).toBe(true);
        expect(batches.reduce((sum, b) => sum + (b.rows ?? 0), 0)).toBe(2000);
        await project.expectAllDone();
        await expectTablesAgree(project.workload, REFERENCE_CHECKS);
      }),
    180_000,
  );
});
