// Which view `ferry apply` renders its events with: NDJSON with --json, live bars on a terminal, and
// one plain line per event anywhere else.

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createEventView } from '../../src/cli/event-view.js';
import { plainStyle } from '../../src/report/style.js';
import type { RunnerEvent } from '../../src/runner/events.js';
import { VirtualTerminal } from '../support/terminal.js';

const EVENTS: RunnerEvent[] = [
  { type: 'migration-started', migration: 'orders', batches: 3, doneBatches: 0, doneRows: 0 },
  { type: 'batch-committed', migration: 'orders', batchNo: 1, rows: 10_000 },
  {
    type: 'connection-retry',
    migration: 'orders',
    attempt: 2,
    delayMs: 500,
    message: 'Connection terminated unexpectedly',
  },
  { type: 'batch-committed', migration: 'orders', batchNo: 2, rows: 9990, skipped: 7, rejected: 3 },
  {
    type: 'migration-paused',
    migration: 'orders',
    batchNo: 3,
    violation: {
      sqlstate: '23503',
      message: 'insert or update on table "orders" violates foreign key constraint "orders_case_fk"',
      constraint: 'orders_case_fk',
      detail: 'Key (case_file_id)=(17) is not present in table "case_files".',
    },
  },
  { type: 'migration-skipped', migration: 'shipments', reason: 'a migration it depends on is paused' },
  {
    type: 'migration-paused',
    migration: 'case_files',
    violation: { sqlstate: '23502', message: 'null value in column "owner_id" violates not-null constraint' },
  },
  { type: 'migration-started', migration: 'tags', batches: 1 },
  { type: 'migration-done', migration: 'tags', rows: 500 },
];

/** Renders EVENTS through the view chosen for `stdout`; what went through `out`, and to the stream. */
function render(stdout: Writable & { isTTY?: boolean; columns?: number }, json = false) {
  const lines: string[] = [];
  const view = createEventView({ json, style: plainStyle, out: (text) => lines.push(text), stdout });
  for (const event of EVENTS) view.onEvent(event);
  view.stop();
  return lines;
}

const pipe = () =>
  new Writable({
    write(_chunk, _encoding, callback) {
      callback(new Error('a pipe gets lines through out, never redrawn frames'));
    },
  });

describe('createEventView', () => {
  it('prints a plain line per event when stdout is not a terminal', () => {
    expect(render(pipe())).toEqual([
      'orders: 3 batches',
      'orders: batch 1 committed (10,000 rows)',
      'orders: connection lost (Connection terminated unexpectedly), retry 2 in 500ms',
      'orders: batch 2 committed (9,990 rows, 7 skipped, 3 rejected)',
      '⏸ orders: paused at batch 3: insert or update on table "orders" violates foreign key constraint "orders_case_fk" (constraint orders_case_fk; Key (case_file_id)=(17) is not present in table "case_files".) [SQLSTATE 23503]',
      'shipments: skipped, a migration it depends on is paused',
      '⏸ case_files: paused: null value in column "owner_id" violates not-null constraint [SQLSTATE 23502]',
      'tags: 1 batch',
      '✓ tags: 500 rows',
    ]);
  });

  it('prints each event as one JSON line with --json, even on a terminal', () => {
    const terminal = new VirtualTerminal(100);
    expect(render(terminal, true).map((line) => JSON.parse(line))).toEqual(EVENTS);
    expect(terminal.chunks).toEqual([]);
  });

  it('draws bars on a terminal instead of lines', () => {
    const terminal = new VirtualTerminal(100);
    expect(render(terminal)).toEqual([]);
    const starts = terminal
      .screen()
      .split('\n')
      .filter((line) => /^[⏸✓-] /.test(line))
      .map((line) => line.slice(0, 12));
    expect(starts).toEqual(['⏸ orders    ', '- shipments ', '⏸ case_files', '✓ tags      ']);
    expect(terminal.screen()).toContain('    paused at batch 3: insert or update on table "orders"');
  });
});
