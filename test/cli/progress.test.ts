// The live progress bars of `ferry apply`, fed events on a fake clock and drawn on a virtual terminal:
// the final frame exactly, rate and ETA, the reason of a pause, and how often and how wide it draws.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProgressView } from '../../src/cli/progress.js';
import { createStyle } from '../../src/report/style.js';
import type { RunnerEvent } from '../../src/runner/events.js';
import { VirtualTerminal } from '../support/terminal.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

/**
 * A view on `terminal` whose clock is the fake timers' clock from 0: `at` moves it to `ms`, redrawing
 * on the way as the real timer would, then delivers the events.
 */
function progressOn(terminal: VirtualTerminal) {
  vi.setSystemTime(0);
  // Colours on: the terminal leaves them out of its screen, so the layout is checked without them.
  const view = new ProgressView(terminal, { style: createStyle(true), now: () => Date.now() });
  const at = (ms: number, ...events: RunnerEvent[]) => {
    vi.advanceTimersByTime(ms - Date.now());
    for (const event of events) view.onEvent(event);
  };
  return { view, at };
}

const committed = (
  migration: string,
  batchNo: number,
  rows: number,
  leftOut: { skipped?: number; rejected?: number } = {},
): RunnerEvent => ({ type: 'batch-committed', migration, batchNo, rows, ...leftOut });

const violation = {
  sqlstate: '23514',
  message: 'new row for relation "case_files" violates check constraint "open_cases"',
  constraint: 'open_cases',
};

describe('ProgressView', () => {
  it('leaves a final frame with bars, rows, rate, ETA, outcomes and the reason of a pause', () => {
    const terminal = new VirtualTerminal(100);
    const { view, at } = progressOn(terminal);
    at(
      0,
      { type: 'migration-started', migration: 'brackets', batches: 2 },
      // Resumed: one batch of 1,000 rows was done by an earlier run.
      { type: 'migration-started', migration: 'orders', batches: 4, doneBatches: 1, doneRows: 1000 },
      // Done by an earlier run: nothing to load now, so no rate.
      { type: 'migration-started', migration: 'tags', batches: 1 },
      { type: 'migration-done', migration: 'tags', rows: 500 },
    );
    at(1000, committed('brackets', 1, 1000), committed('orders', 2, 1000), {
      type: 'migration-started',
      migration: 'case_files',
      batches: 5,
    });
    at(2000, committed('brackets', 2, 500), { type: 'migration-done', migration: 'brackets', rows: 1500 });
    at(2500, committed('orders', 3, 1000));
    at(
      3000,
      { type: 'migration-paused', migration: 'case_files', batchNo: 1, violation },
      {
        type: 'migration-skipped',
        migration: 'case_file_tags',
        reason: 'a migration it depends on is paused',
      },
    );
    at(4000);
    view.stop();
    // brackets: 1,500 rows in 2 s. orders: this run's 2,000 rows in 4 s, and 1 batch left at 2 s a batch.
    expect(terminal.screen()).toBe(
      [
        '✓ brackets        ████████████████████████████████████████  2/2  1,500 rows  750 rows/s  done in 2s',
        '  orders          ██████████████████████████████░░░░░░░░░░  3/4  3,000 rows  500 rows/s  ETA 2s',
        '✓ tags            ████████████████████████████████████████  1/1    500 rows              done in 0s',
        '⏸ case_files      ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░  0/5      0 rows              paused',
        '    paused at batch 1: new row for relation "case_files" violates check constraint "open_cases" (con',
        'straint open_cases) [SQLSTATE 23514]',
        '- case_file_tags  skipped: a migration it depends on is paused',
      ].join('\n'),
    );
  });

  it('counts down the ETA and slows the rate while a batch takes long, with no event', () => {
    const terminal = new VirtualTerminal(100);
    const { view, at } = progressOn(terminal);
    at(0, { type: 'migration-started', migration: 'orders', batches: 3 });
    at(10_000, committed('orders', 1, 5000));
    at(10_100);
    // 5,000 rows in 10.1 s; two batches left at 10.1 s a batch.
    expect(terminal.screen()).toBe(
      '  orders  █████████████░░░░░░░░░░░░░░░░░░░░░░░░░░░  1/3  5,000 rows  495 rows/s  ETA 20s',
    );
    at(20_000);
    // 5,000 rows in 20 s; two batches left at 20 s a batch.
    expect(terminal.screen()).toMatch(/1\/3 {2}5,000 rows {2}250 rows\/s {2}ETA 40s$/);
    view.stop();
  });

  it('redraws at most ten times a second, however many batches commit', () => {
    const terminal = new VirtualTerminal(100);
    const { view, at } = progressOn(terminal);
    at(0, { type: 'migration-started', migration: 'orders', batches: 1000 });
    for (let ms = 10; ms <= 1000; ms += 10) at(ms, committed('orders', ms / 10, 100));
    expect(terminal.chunks.length).toBeLessThanOrEqual(10);
    view.stop();
    expect(terminal.screen()).toMatch(/^ {2}orders .* 100\/1000 {2}10,000 rows {2}10,000 rows\/s {2}ETA 9s$/);
  });

  it('keeps live lines within a narrow terminal, and the final reason whole', () => {
    const terminal = new VirtualTerminal(60);
    const { view, at } = progressOn(terminal);
    at(0, { type: 'migration-started', migration: 'case_files', batches: 5 });
    at(1000, { type: 'migration-paused', migration: 'case_files', batchNo: 1, violation });
    at(1100);
    const live = terminal.screen().split('\n');
    expect(live).toEqual([
      '⏸ case_files  ░░░░░░░░░░░░░░░░░░░░░░░░  0/5  0 rows  paused',
      '    paused at batch 1: new row for relation "case_files" vi',
    ]);
    view.stop();
    expect(terminal.screen().split('\n').slice(1).join('')).toBe(
      '    paused at batch 1: new row for relation "case_files" violates check constraint "open_cases" (constraint open_cases) [SQLSTATE 23514]',
    );
  });

  it('shows rows left out, and a connection retry under its migration until a batch gets through', () => {
    const terminal = new VirtualTerminal(100);
    const { view, at } = progressOn(terminal);
    at(0, { type: 'migration-started', migration: 'orders', batches: 4 });
    at(1000, committed('orders', 1, 900, { skipped: 100 }));
    at(2000, {
      type: 'connection-retry',
      migration: 'orders',
      attempt: 1,
      delayMs: 2000,
      message: 'Connection terminated unexpectedly',
    });
    at(2100);
    // 900 rows in 2.1 s; three batches left at 2.1 s a batch.
    expect(terminal.screen().split('\n')).toEqual([
      '  orders  ██████████░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░  1/4  900 rows  100 skipped  429 rows/s  ETA 6s',
      '    connection lost (Connection terminated unexpectedly), retry 1 in 2s',
    ]);
    at(4000, committed('orders', 2, 995, { rejected: 5 }));
    view.stop();
    expect(terminal.screen()).toBe(
      // 1,895 rows in 4 s, two batches left at 2 s a batch; the wider line leaves the bar less room.
      `  orders  ${'█'.repeat(14)}${'░'.repeat(13)}  2/4  1,895 rows  100 skipped, 5 rejected  474 rows/s  ETA 4s`,
    );
  });
});
