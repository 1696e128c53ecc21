// A run's events folded per migration: the events file `ferry apply --dry-run --json` writes, read
// back (failures and unknown event kinds included), and the job summary apply writes from it.

import { describe, expect, it } from 'vitest';
import { FerryError } from '../../src/errors.js';
import { parseRunEvents } from '../../src/report/run-events-file.js';
import { renderRunMarkdown } from '../../src/report/run-summary.js';

const EVENTS = [
  { type: 'migration-started', migration: 'brackets', batches: 1, doneBatches: 1, doneRows: 12 },
  { type: 'migration-done', migration: 'brackets', rows: 12 },
  { type: 'migration-started', migration: 'orders', batches: 2 },
  { type: 'batch-committed', migration: 'orders', batchNo: 1, rows: 1000, skipped: 2 },
  { type: 'connection-retry', migration: 'orders', attempt: 1, delayMs: 500, message: 'reset' },
  { type: 'batch-committed', migration: 'orders', batchNo: 2, rows: 998, rejected: 1 },
  { type: 'migration-done', migration: 'orders', rows: 1998 },
  {
    type: 'migration-paused',
    migration: 'case_files',
    batchNo: 3,
    violation: {
      sqlstate: '23514',
      message: 'new row violates check constraint "opened"',
      constraint: 'opened',
    },
    offending: [
      {
        key: ['17'],
        sqlstate: '23514',
        message: 'violates',
        constraint: 'opened',
        detail: 'Failing row contains (17, |x|)',
      },
    ],
  },
  {
    type: 'migration-skipped',
    migration: 'case_file_tags',
    reason: '`case_files`, which it depends on, is paused',
  },
  { type: 'a-kind-from-a-newer-ferry', migration: 'orders', anything: true },
];

const ndjson = (values: readonly unknown[]) => values.map((v) => JSON.stringify(v)).join('\n');

describe('run events', () => {
  it('folds a dry run into one outcome per migration', () => {
    const summary = parseRunEvents(`${ndjson(EVENTS)}\n`, 'dry-run.ndjson');
    expect(summary.failure).toBeUndefined();
    expect(summary.migrations.map((m) => [m.migration, m.status, m.rows, m.alreadyDone])).toEqual([
      ['brackets', 'done', 12, true],
      ['orders', 'done', 1998, false],
      ['case_files', 'paused', 0, false],
      ['case_file_tags', 'skipped', 0, false],
    ]);
    expect(
      renderRunMarkdown(summary, {
        dryRun: true,
        order: ['brackets', 'tags', 'case_files', 'orders', 'case_file_tags'],
      }),
    ).toBe(
      [
        '### ferry apply --dry-run: 2 of 5 migrations would finish; the target is unchanged',
        '',
        '| migration | dry run |',
        '| --- | --- |',
        '| `brackets` | ✓ already done (12 rows) |',
        '| `tags` | not reached |',
        '| `case_files` | ⏸ paused at batch 3: new row violates check constraint "opened" (constraint opened) [SQLSTATE 23514] |',
        '| `orders` | ✓ 1,998 rows (2 skipped, 1 rejected) |',
        '| `case_file_tags` | skipped: `case_files`, which it depends on, is paused |',
        '',
        'Rows at fault in `case_files`:',
        '',
        '- source key `17`: opened: Failing row contains (17, \\|x\\|)',
        '',
      ].join('\n'),
    );
  });

  it('reads the diagnostics of a run that failed, as --json prints them over several lines', () => {
    const failed = JSON.stringify(
      {
        ok: false,
        diagnostics: [
          { severity: 'error', code: 'lock.stale', message: 'ferry.lock is stale', hint: 'run ferry plan' },
        ],
      },
      null,
      2,
    );
    const summary = parseRunEvents(`${ndjson(EVENTS.slice(0, 2))}\n${failed}\n`, 'dry-run.ndjson');
    expect(summary.migrations).toHaveLength(1);
    expect(summary.failure).toEqual([
      { severity: 'error', code: 'lock.stale', message: 'ferry.lock is stale', hint: 'run ferry plan' },
    ]);
    expect(renderRunMarkdown(summary, { dryRun: false, order: ['brackets'] })).toContain(
      'The run failed:\n\n- lock.stale: ferry.lock is stale\n',
    );
  });

  it('refuses a file that is not what apply wrote', () => {
    const problems = [
      [
        '{"type":"migration-done","migration":"x","rows":-1}',
        'dry-run.ndjson, document 1 is not a valid `migration-done` event',
      ],
      ['{"migration":"x"}', 'dry-run.ndjson, document 1 is not a ferry event (no `type`)'],
      ['{"type":"migration-done",', 'dry-run.ndjson: line 1 does not start a JSON document'],
    ] as const;
    for (const [text, message] of problems) {
      let error: unknown;
      try {
        parseRunEvents(text, 'dry-run.ndjson');
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(FerryError);
      expect((error as FerryError).code).toBe('report.events-file');
      expect((error as FerryError).message.startsWith(message)).toBe(true);
    }
  });
});
