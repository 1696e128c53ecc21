// `ferry graph` in each format, with selectors; and the demo, which must always run.

import { describe, expect, it } from 'vitest';
import { runFerry } from '../support/cli.js';

describe('ferry graph', () => {
  it('prints the layers as text', async () => {
    const result = await runFerry(['graph']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(
      [
        '5 migrations in 3 layers',
        '',
        'layer 1',
        '  brackets        legacy.dispatch_bracket → app.brackets',
        '  tags            legacy.dispatch_tag → app.tags',
        '',
        'layer 2',
        '  case_files      legacy.dispatch_casefile → app.case_files  (after brackets)',
        '',
        'layer 3',
        '  case_file_tags  legacy.dispatch_casefile_tags → app.case_file_tags  (after case_files, tags)',
        '  orders          legacy.dispatch_order → app.orders  (after case_files)',
      ].join('\n'),
    );
  });

  it('prints Mermaid, DOT and JSON', async () => {
    const mermaid = await runFerry(['graph', '--format', 'mermaid', '--select', '+orders']);
    expect(mermaid.stdout.split('\n')).toEqual([
      'flowchart LR',
      '  subgraph layer1["layer 1"]',
      '    m0["brackets<br/><small>legacy.dispatch_bracket → app.brackets</small>"]',
      '  end',
      '  subgraph layer2["layer 2"]',
      '    m1["case_files<br/><small>legacy.dispatch_casefile → app.case_files</small>"]',
      '  end',
      '  subgraph layer3["layer 3"]',
      '    m2["orders<br/><small>legacy.dispatch_order → app.orders</small>"]',
      '  end',
      '  m0 --> m1',
      '  m1 --> m2',
    ]);
    const dot = await runFerry(['graph', '--format', 'dot', '--select', 'tags+']);
    expect(dot.stdout).toContain('"tags" -> "case_file_tags";');
    expect(dot.stdout.startsWith('digraph ferry {')).toBe(true);
    const json = await runFerry(['graph', '--json']);
    const parsed = JSON.parse(json.stdout) as {
      layers: string[][];
      migrations: Array<{ name: string; parents: string[] }>;
    };
    expect(parsed.layers).toEqual([['brackets', 'tags'], ['case_files'], ['case_file_tags', 'orders']]);
    expect(parsed.migrations.find((m) => m.name === 'case_file_tags')?.parents).toEqual([
      'case_files',
      'tags',
    ]);
  });

  it('refuses an unknown selector with a suggestion', async () => {
    const result = await runFerry(['graph', '--select', 'order+']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      'error[select.unknown]: selector `order+` matches no migration\n  hint: did you mean `orders`?',
    );
  });

  it('refuses an unknown format', async () => {
    const result = await runFerry(['graph', '--format', 'svg']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      "argument 'svg' is invalid. Allowed choices are text, mermaid, dot, json.",
    );
  });
});

describe('ferry demo', () => {
  it('plans and applies the reference workload on an embedded PostgreSQL from any directory, and exits 0', async () => {
    const result = await runFerry(['demo'], { cwd: '/' });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(
      /✓ PostgreSQL on 127\.0\.0\.1:\d+, loaded in [\d.]+ s: 1,569 bracket, 10,000 casefile, 19,980 casefile_tags, 20,000 order, 500 tag/,
    );
    expect(result.stdout).toContain('✓ specs are valid: 5 migrations in 3 layers');
    expect(result.stdout).toContain('case_file_tags  legacy.dispatch_casefile_tags → app.case_file_tags');
    expect(result.stdout).toMatch(/amount +← amount_cents \/ 100\.0 +declared/);
    expect(result.stdout).toContain('✓ orders: 20,000 rows');
    expect(result.stdout).toContain('✓ case_file_tags: 19,980 rows');
    expect(result.stdout).toContain('✓ 5 of 5 migrations match their source');
    expect(result.stdout).toContain('No differences: the target holds what ferry.lock plans.');
    expect(result.stdout).toMatch(/✓ the demo finished in [\d.]+ s: every step went as it should/);
  });
});
