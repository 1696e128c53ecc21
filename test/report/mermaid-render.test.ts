// The Mermaid graphs ferry writes into pull requests, drawn by the real mermaid library in headless
// Chromium (Debian's package, no browser download, no network): the reference workload with changes
// marked, and a plan whose table and column names are as hostile as PostgreSQL allows.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePlan } from '../../src/compiler/compile.js';
import type { Plan } from '../../src/compiler/plan.js';
import { graphMermaid } from '../../src/report/graph.js';
import { loadSpecs } from '../../src/spec/load.js';
import type { SpecSet } from '../../src/spec/types.js';
import { TEST_ENV } from '../support/spec-fixtures.js';
import { node, syntheticPlan } from './synthetic-plan.js';

const CHROMIUM = process.env.FERRY_TEST_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available)
  console.log(`mermaid render test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

const MERMAID_BUNDLE = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');

/** Names that break naive quoting: quotes, brackets, pipes, entities, comments, keywords, newlines. */
function hostilePlan(): Plan {
  const names = [
    { schema: 'legacy "quoted"', name: 'a|b [c] {d} (e)' },
    { schema: 'end', name: 'subgraph; %% not a comment' },
    { schema: 'ünïcödé', name: '#quot; & <b>bold</b> `tick`' },
    { schema: 'app', name: 'line\nbreak -->' },
  ];
  const migrations = names.map((name, i) =>
    node(
      `hostile_${i}`,
      [{ target: 'c', from: 'c', origin: { kind: 'declared' } }],
      name,
      names[(i + 1) % 4] as typeof name,
    ),
  );
  migrations[3] = { ...(migrations[3] as (typeof migrations)[number]), fixups: ['parent|id', 'x"y', 'end'] };
  return {
    ...syntheticPlan({ count: 0 }),
    migrations,
    layers: [['hostile_0', 'hostile_1'], ['hostile_2'], ['hostile_3']],
    edges: [
      { parent: 'hostile_0', child: 'hostile_2', kind: 'ref', columns: ['x'], nullable: false },
      { parent: 'hostile_0', child: 'hostile_2', kind: 'foreignKey', columns: ['x'], nullable: false },
      { parent: 'hostile_1', child: 'hostile_2', kind: 'dependsOn', columns: [], nullable: false },
      { parent: 'hostile_2', child: 'hostile_3', kind: 'ref', columns: ['y'], nullable: true },
    ],
  };
}

describe.skipIf(!available)('Mermaid graphs in Chromium', () => {
  let browser: Awaited<ReturnType<typeof chromium.launch>>;
  let reference: Plan;

  beforeAll(async () => {
    const { specs } = await loadSpecs('specs', { env: TEST_ENV });
    reference = compilePlan(specs as SpecSet).plan as Plan;
    // Root (as in CI containers) cannot use Chromium's sandbox.
    browser = await chromium.launch({ executablePath: CHROMIUM as string, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('parses and draws every graph, the changed and downstream migrations styled', async () => {
    const graphs = {
      reference: graphMermaid(reference, { changed: ['case_files', 'orders'], affected: ['case_file_tags'] }),
      hostile: graphMermaid(hostilePlan(), { changed: ['hostile_0'], affected: ['hostile_2', 'hostile_3'] }),
    };
    const page = await browser.newPage();
    // Nothing leaves the machine: the page is local and every request is refused.
    await page.route('**/*', (route) => route.abort());
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ path: MERMAID_BUNDLE });
    const drawn = await page.evaluate(async (texts) => {
      const mermaid = (globalThis as unknown as { mermaid: MermaidApi }).mermaid;
      mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
      const results: Record<string, { parsed: unknown; svg: string; error?: string }> = {};
      for (const [name, text] of Object.entries(texts)) {
        try {
          const parsed = await mermaid.parse(text);
          const { svg } = await mermaid.render(`graph-${name}`, text);
          results[name] = { parsed: Boolean(parsed), svg };
        } catch (error) {
          results[name] = { parsed: false, svg: '', error: String((error as Error).message ?? error) };
        }
      }
      return results;
    }, graphs);
    await page.close();

    for (const [name, result] of Object.entries(drawn)) {
      expect(result.error, name).toBeUndefined();
      expect(result.parsed, name).toBe(true);
      expect(result.svg, name).not.toContain('Syntax error');
    }
    const reference_ = drawn.reference?.svg ?? '';
    for (const label of ['brackets', 'case_file_tags', 'legacy.dispatch_order → app.orders'])
      expect(reference_).toContain(label);
    // Each node drawn with its class: two changed, one downstream.
    expect(reference_.match(/class="node default changed/g)).toHaveLength(2);
    expect(reference_.match(/class="node default affected/g)).toHaveLength(1);
    const hostile = drawn.hostile?.svg ?? '';
    expect(hostile).toContain('hostile_3');
    expect(hostile.match(/class="node default changed/g)).toHaveLength(1);
    expect(hostile.match(/class="node default affected/g)).toHaveLength(2);
    // The markup in a name is shown as text, never made into elements.
    expect(hostile).not.toMatch(/<b>bold<\/b>/);
  });
});

interface MermaidApi {
  initialize(config: Record<string, unknown>): void;
  parse(text: string): Promise<unknown>;
  render(id: string, text: string): Promise<{ svg: string }>;
}
