// `ferry apply --dry-run` on the shop example (generated keys, translated refs): it meets exactly the
// violations a real apply meets, names the same rows, and leaves every table, `_ferry` and every
// sequence of the target as they were.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFerry } from '../support/cli.js';
import { buildWorkload, SHOP_FILES, type Workload } from '../support/workload.js';

let workload: Workload;

beforeEach(async () => {
  workload = await buildWorkload('dry_run', SHOP_FILES);
});

afterEach(async () => {
  await workload.drop();
});

const ferry = (args: string[]) => runFerry(args, { cwd: workload.projectDir, env: workload.env });

/** Everything a dry run could touch: each relation's rows, the relations that exist, the sequences. */
async function targetState(): Promise<Record<string, string>> {
  const state: Record<string, string> = {};
  const relations = await workload.target.query<{ name: string; kind: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name, c.relkind::text AS kind
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN ('shop', '_ferry') AND c.relkind IN ('r', 'v', 'S', 'i')
      ORDER BY 1`,
  );
  state.relations = relations.map((r) => `${r.name}:${r.kind}`).join(',');
  for (const relation of relations.filter((r) => r.kind === 'r' || r.kind === 'v')) {
    const [row] = await workload.target.query<{ hash: string }>(
      `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS hash FROM ${relation.name} t`,
    );
    state[relation.name] = row?.hash ?? '';
  }
  const sequences = await workload.target.query<{ name: string; last: string | null }>(
    `SELECT format('%I.%I', schemaname, sequencename) AS name, last_value::text AS last FROM pg_sequences ORDER BY 1`,
  );
  state.sequences = sequences.map((s) => `${s.name}=${s.last}`).join(',');
  return state;
}

interface PausedEvent {
  type: 'migration-paused';
  migration: string;
  offending: { key: string[]; constraint?: string }[];
}

function pausedEvents(stdout: string): PausedEvent[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { type: string })
    .filter((event): event is PausedEvent => event.type === 'migration-paused');
}

describe('ferry apply --dry-run', () => {
  it('names the rows a real apply pauses on, and leaves the target, _ferry and sequences as they were', async () => {
    // Cancelled orders are refused: source orders 3, 13, 23, … (status 'C') violate it.
    await workload.target.query(
      `ALTER TABLE shop.orders ADD CONSTRAINT no_cancelled CHECK (status <> 'cancelled')`,
    );
    expect((await ferry(['plan'])).exitCode).toBe(0);
    const cancelled = (
      await workload.source.query<{ key: string }>(
        `SELECT order_id::text AS key FROM legacy_shop.orders WHERE status = 'C' ORDER BY orders.order_id LIMIT 20`,
      )
    ).map((row) => [row.key]);
    expect(cancelled.length).toBeGreaterThan(1);

    const before = await targetState();
    const dry = await ferry(['apply', '--dry-run', '--json']);
    expect(dry.exitCode).toBe(3);
    expect(await targetState()).toEqual(before);
    const [dryPause] = pausedEvents(dry.stdout);
    expect(dryPause?.migration).toBe('orders');
    expect(dryPause?.offending.map((row) => row.key)).toEqual(cancelled);
    expect(dryPause?.offending.every((row) => row.constraint === 'no_cancelled')).toBe(true);

    const real = await ferry(['apply', '--json']);
    expect(real.exitCode).toBe(3);
    const [realPause] = pausedEvents(real.stdout);
    expect(realPause?.offending).toEqual(dryPause?.offending);
    // What the real apply did commit (the other branches) is what the dry run said would finish.
    const phases = await workload.target.query<{ migration: string; phase: string }>(
      'SELECT migration, phase FROM _ferry.migration_control ORDER BY migration',
    );
    expect(phases).toEqual([
      { migration: 'categories', phase: 'done' },
      { migration: 'customers', phase: 'done' },
      { migration: 'orders', phase: 'paused' },
      { migration: 'products', phase: 'done' },
    ]);

    // Over a target that holds state, a dry run leaves that state as it is too.
    const applied = await targetState();
    expect((await ferry(['apply', '--dry-run'])).exitCode).toBe(3);
    expect(await targetState()).toEqual(applied);
  });

  it('finishes a clean plan with exit 0, with --limit over the first rows only, changing nothing', async () => {
    expect((await ferry(['plan'])).exitCode).toBe(0);
    const before = await targetState();
    const full = await ferry(['apply', '--dry-run']);
    expect(full.exitCode).toBe(0);
    expect(full.stdout).toContain('dry run: 6 of 6 migrations would finish; the target is unchanged');
    expect(await targetState()).toEqual(before);

    const limited = await ferry(['apply', '--dry-run', '--limit', '10', '--json']);
    expect(limited.exitCode).toBe(0);
    const committed = limited.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { type: string; migration: string; rows: number; skipped?: number })
      .filter((event) => event.type === 'batch-committed');
    for (const migration of ['categories', 'customers', 'orders', 'products', 'order_lines', 'payments']) {
      const mine = committed.filter((event) => event.migration === migration);
      // At most 10 source rows: written, or left out because their parent lies beyond the sample.
      const read = mine.reduce((sum, event) => sum + event.rows + (event.skipped ?? 0), 0);
      expect(read, migration).toBeLessThanOrEqual(10);
      expect(read, migration).toBeGreaterThan(0);
    }
    expect(await targetState()).toEqual(before);

    const misuse = await ferry(['apply', '--limit', '10']);
    expect(misuse.exitCode).toBe(1);
    expect(misuse.stderr).toContain('apply.options');
  });
});
