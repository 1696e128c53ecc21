// The pull-request plan report on plans built in memory: its size bound (a synthetic plan of thousands
// of migrations), what it keeps first, Markdown that hostile names cannot break, and a failed plan.

import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/compiler/plan.js';
import type { StateComparison } from '../../src/compiler/state-modified.js';
import { errorDiagnostic } from '../../src/errors.js';
import { COMMENT_MAX_BYTES, renderPlanFailure, renderPlanReport } from '../../src/report/plan-comment.js';
import { migrationName, node, syntheticPlan } from './synthetic-plan.js';

const bytes = (text: string) => Buffer.byteLength(text);

/** The `<summary>` names of the sections a report kept, in order. */
function sectionNames(markdown: string): string[] {
  return [...markdown.matchAll(/<details(?: open)?><summary><code>([^<]+)<\/code>/g)].map(
    (m) => m[1] as string,
  );
}

function changesOf(changed: readonly number[]): StateComparison {
  return {
    changed: changed.map((i) => ({ migration: migrationName(i), kinds: ['spec'], details: ['spec edited'] })),
    affected: [],
    deleted: [],
    baseName: 'base.lock',
  };
}

describe('renderPlanReport', () => {
  it('keeps a plan of 3,000 migrations under the comment limit, the changed and undecided ones first', () => {
    const plan = syntheticPlan({ count: 3000, chain: true, decisions: [2999] });
    const report = renderPlanReport({
      plan,
      changes: changesOf([10, 2500]),
      artifact: 'https://github.com/acme/data/actions/runs/42',
    });
    expect(report.bytes).toBeLessThanOrEqual(COMMENT_MAX_BYTES);
    expect(report.bytes).toBe(bytes(report.markdown));
    expect(report.shortened).toBe(true);
    const lines = report.markdown.split('\n');
    expect(lines[0]).toBe('<!-- ferry:plan-report -->');
    // 2,999 edges: more than Mermaid draws, so no graph is attempted.
    expect(report.markdown).not.toContain('```mermaid');
    expect(report.markdown).toContain(
      'The graph (2,999 edges) is larger than a comment can draw: `ferry graph --format mermaid` prints it.',
    );
    // Sections go before table rows; the important rows stay, the rest are counted.
    expect(sectionNames(report.markdown)).toEqual([]);
    expect(report.omittedSections).toBe(3000);
    for (const i of [10, 2500, 2999]) expect(report.markdown).toContain(`| \`${migrationName(i)}\` |`);
    const kept = lines.filter((l) => /^\| (✱ changed)? *\| `table_/.test(l)).length;
    const more = (3000 - kept).toLocaleString('en-US');
    expect(report.markdown).toContain(`|  | … ${more} more migrations of 3,000 |  |  |  |  |  |\n\nStatus`);
    expect(report.markdown).toContain(
      `_Shortened to fit a pull-request comment: 3,000 migration sections of 3,000, ${more} table rows left out; the full report is in the artifact below._`,
    );
    expect(lines.at(-2)).toBe(
      'Full report and plan: [github.com/acme/data/actions/runs/42](https://github.com/acme/data/actions/runs/42)',
    );
  });

  it('leaves out sections from the end, the unimportant ones first, before the graph or a row', () => {
    const plan = syntheticPlan({ count: 120, chain: true, columns: 30, decisions: [119] });
    const whole = renderPlanReport({ plan, changes: changesOf([3]) }, { maxBytes: Number.POSITIVE_INFINITY });
    expect(whole.shortened).toBe(false);
    expect(sectionNames(whole.markdown)).toHaveLength(120);
    expect(whole.bytes).toBeGreaterThan(COMMENT_MAX_BYTES);

    const report = renderPlanReport({ plan, changes: changesOf([3]) });
    expect(report.bytes).toBeLessThanOrEqual(COMMENT_MAX_BYTES);
    expect(report.markdown).toContain('```mermaid');
    expect(report.markdown).toContain('  class m3 changed');
    expect(report.markdown).not.toContain('more migrations of');
    const kept = sectionNames(report.markdown);
    expect(report.omittedSections).toBe(120 - kept.length);
    // The important sections come first as planned (3 changed, 119 undecided), then a prefix of the rest.
    const rest = plan.migrations
      .map((m) => m.name)
      .filter((n) => n !== migrationName(3) && n !== migrationName(119));
    expect(kept.filter((n) => n !== migrationName(3) && n !== migrationName(119))).toEqual(
      rest.slice(0, kept.length - 2),
    );
    expect(kept).toContain(migrationName(119));
    expect(report.markdown).toContain(
      `_Shortened to fit a pull-request comment: ${120 - kept.length} migration sections of 120 left out; \`ferry plan --format markdown --max-bytes 0\` prints the full report._`,
    );
    // The decision's section is open, with the YAML to paste.
    expect(report.markdown).toContain(`<details open><summary><code>${migrationName(119)}</code>`);
    expect(report.markdown).toContain(
      '     ```yaml\n     columns:\n       status: { from: state }\n     ```',
    );
  });

  it('cuts within the limit even when the limit is smaller than the fixed parts', () => {
    const plan = syntheticPlan({ count: 5 });
    const report = renderPlanReport({ plan }, { maxBytes: 300 });
    expect(report.bytes).toBeLessThanOrEqual(300);
    expect(report.markdown.startsWith('<!-- ferry:plan-report -->\n')).toBe(true);
    expect(report.markdown.endsWith('\n\n_(cut to fit)_\n')).toBe(true);
  });

  it('keeps names that hold pipes, backticks, markup and newlines inside their cells', () => {
    const hostile = node(
      'hostile',
      [
        { target: 'a|b', from: 'x`y', origin: { kind: 'declared' } },
        { target: '</details>', expr: "coalesce(a, '|')\n|| b", origin: { kind: 'declared' } },
        {
          target: 'c',
          from: 'c',
          origin: {
            kind: 'inferred',
            agent: 'llm<script>',
            confidence: 0.5,
            reason: 'looks | alike\n<b>bold</b>',
          },
        },
      ],
      { schema: 'Legacy|Data', name: 'Order `Lines`' },
      { schema: 'app', name: '<img src=x>' },
    );
    const plan: Plan = { ...syntheticPlan({ count: 0 }), migrations: [hostile], layers: [['hostile']] };
    const { markdown } = renderPlanReport({ plan });
    // Outside code spans and the Mermaid block (whose text is entity-escaped) no markup survives.
    const prose = markdown.replace(/```mermaid[\s\S]*?```/, '').replace(/(`+)[\s\S]*?\1/g, '');
    expect(prose).not.toMatch(/<script|<img|<b>/);
    expect(prose.match(/<\/details>/g)).toHaveLength(1);
    expect(markdown).toContain(
      '#quot;Legacy|Data#quot;.#quot;Order `Lines`#quot; → app.#quot;#lt;img src=x#gt;#quot;',
    );
    // Every table row has exactly its header's cells: no pipe inside a cell is left unescaped.
    const cellCount = (row: string) => row.replaceAll('\\|', '').split('|').length - 2;
    const tableLines = markdown.split('\n').filter((l) => l.startsWith('|'));
    expect(tableLines.map(cellCount)).toEqual([7, 7, 7, 3, 3, 3, 3, 3]);
    expect(tableLines).toEqual([
      '|  | migration | from → to | rows | keys | status | decisions |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      '|  | `hostile` | ``"Legacy\\|Data"."Order `Lines`"`` → `app."<img src=x>"` | ~12,345 | preserve | unknown | ✓ |',
      '| column | value | origin |',
      '| --- | --- | --- |',
      '| `a\\|b` | ``x`y`` | declared |',
      "| `</details>` | `coalesce(a, '\\|') \\|\\| b` | declared |",
      '| `c` | `c` | inferred by **llm&lt;script&gt;** (0.50): looks \\| alike &lt;b&gt;bold&lt;/b&gt; |',
    ]);
  });

  it('reports a plan that failed with every place to fix', () => {
    const markdown = renderPlanFailure(
      [
        errorDiagnostic('lock.stale', 'ferry.lock is stale: the spec of `orders` changed', {
          hint: 'run `ferry plan`, review the diff of ferry.lock and commit it',
          location: { file: 'specs/orders.yaml', line: 1, column: 1 },
        }),
        errorDiagnostic(
          'connection.failed',
          'cannot connect to the target (postgres://app:****@db/x): refused',
        ),
      ],
      { commentKey: 'warehouse--a b' },
    );
    expect(markdown).toBe(
      [
        '<!-- ferry:plan-report warehouse_a_b -->',
        '### ferry plan failed',
        '',
        '2 problems to fix before this can be planned:',
        '',
        '- `specs/orders.yaml:1:1` **lock.stale**: ferry.lock is stale: the spec of `orders` changed (run `ferry plan`, review the diff of ferry.lock and commit it)',
        '- **connection.failed**: cannot connect to the target (postgres://app:****@db/x): refused',
        '',
      ].join('\n'),
    );
  });
});
