// The demo shows ferry's own commands indented under its step headings: apply's live bars included,
// drawn through an indenting terminal on a virtual one, and lines of text indented line by line.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { createEventView } from '../../src/cli/event-view.js';
import { demoContext, indentedStream, indentLines } from '../../src/demo/demo-context.js';
import { keptLines, nextLines, shellQuote } from '../../src/demo/next-steps.js';
import { createStyle } from '../../src/report/style.js';
import { VirtualTerminal } from '../support/terminal.js';

const INDENT = ' '.repeat(12);

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

function parentContext(stdout: CliContext['stdout'], out: string[], err: string[]): CliContext {
  return {
    projectDir: '/home/someone/project',
    specsDir: '/home/someone/project/specs',
    json: true,
    debug: false,
    github: true,
    env: { HOME: '/home/someone' },
    out: (text) => out.push(text),
    stdout,
    err: (text) => err.push(text),
    style: createStyle(false),
    errStyle: createStyle(false),
  };
}

describe('the demo context', () => {
  it('draws apply’s live bars indented, redrawn in place, on a terminal narrower by the indent', () => {
    const terminal = new VirtualTerminal(80);
    terminal.write('5. apply   the heading above the bars\n');
    const stream = indentedStream(terminal, INDENT);
    expect(stream.columns).toBe(68);
    expect(stream.isTTY).toBe(true);
    const view = createEventView({ json: false, out: () => {}, style: createStyle(true), stdout: stream });
    view.onEvent({ type: 'migration-started', migration: 'orders', batches: 4 });
    view.onEvent({ type: 'migration-started', migration: 'tags', batches: 1 });
    vi.advanceTimersByTime(200);
    view.onEvent({ type: 'batch-committed', migration: 'orders', batchNo: 1, rows: 5000 });
    view.onEvent({ type: 'batch-committed', migration: 'tags', batchNo: 1, rows: 500 });
    view.onEvent({ type: 'migration-done', migration: 'tags', rows: 500 });
    vi.advanceTimersByTime(200);
    view.stop();
    const lines = terminal.screen().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('5. apply   the heading above the bars');
    expect(lines[1]).toMatch(/^ {12} {2}orders {2}█+░+ {2}1\/4 {2}5,000 rows/);
    expect(lines[2]).toMatch(/^ {12}✓ tags {4}█+ {2}1\/1 {4}500 rows .*done in/);
    // Bars end where the narrower terminal ends, not the real one.
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    // Several frames were drawn over each other: the screen holds only the last.
    expect(terminal.chunks.length).toBeGreaterThan(2);
  });

  it('runs the commands on the demo’s project, indented, never as JSON or for a CI job', () => {
    const out: string[] = [];
    const err: string[] = [];
    let muted = false;
    const context = demoContext(
      parentContext({ write: () => true }, out, err),
      { dir: '/tmp/ferry-demo-x/project', env: { FERRY_TARGET_URL: 'postgres://postgres@127.0.0.1:1/app' } },
      { indent: INDENT, muted: () => muted },
    );
    expect(context.projectDir).toBe('/tmp/ferry-demo-x/project');
    expect(context.specsDir).toBe('/tmp/ferry-demo-x/project/specs');
    expect(context.json).toBe(false);
    expect(context.github).toBe(false);
    expect(context.env).toEqual({
      HOME: '/home/someone',
      FERRY_TARGET_URL: 'postgres://postgres@127.0.0.1:1/app',
    });
    context.out('Plan: 5 migrations\n\nlayer 1\n');
    context.err('warning: something');
    muted = true;
    context.out('connection lost, retry 1');
    context.err('connection lost, retry 1');
    expect(out).toEqual([`${INDENT}Plan: 5 migrations\n\n${INDENT}layer 1`]);
    expect(err).toEqual([`${INDENT}warning: something`]);
  });

  it('indents every line with text, and only those', () => {
    expect(indentLines('a\n\nb\n', '  ')).toBe('  a\n\n  b');
  });
});

describe('what the demo prints last', () => {
  const input = { ferry: 'node /opt/ferry tool/dist/cli/main.js', viaNpm: false, style: createStyle(false) };

  it('after --keep: the URLs, commands to paste, and how to stop the server', () => {
    const lines = keptLines(input, {
      pid: 4242,
      rootDir: '/tmp/ferry-demo-Ab12',
      projectDir: '/tmp/ferry-demo-Ab12/project',
      source: 'postgres://postgres@127.0.0.1:45678/legacy_source',
      target: 'postgres://postgres@127.0.0.1:45678/app_target',
    });
    const text = lines.map(([label, line]) => `${label.padEnd(5)}|${line}`).join('\n');
    expect(text).toContain(
      'kept |the server runs on as process 4242, with its files in /tmp/ferry-demo-Ab12',
    );
    expect(text).toContain('     |source  postgres://postgres@127.0.0.1:45678/legacy_source');
    expect(text).toContain('     |export FERRY_TARGET_URL=postgres://postgres@127.0.0.1:45678/app_target');
    expect(text).toContain(`     |alias ferry='node /opt/ferry tool/dist/cli/main.js'`);
    expect(text).toMatch(/\|ferry status --dir \/tmp\/ferry-demo-Ab12\/project +# what _ferry recorded/);
    expect(text).toContain(`stop |node /opt/ferry tool/dist/cli/main.js demo --stop /tmp/ferry-demo-Ab12`);
    expect(text).toContain('(or: kill -INT 4242, and once it has exited, rm -rf /tmp/ferry-demo-Ab12)');
  });

  it('otherwise: how to keep it, and the way to one’s own databases', () => {
    const viaNpm = nextLines({ ...input, viaNpm: true }).map(([, line]) => line);
    expect(viaNpm).toContainEqual(expect.stringMatching(/^npm run demo -- --keep +# the same/));
    const direct = nextLines(input).map(([, line]) => line);
    expect(direct).toContainEqual(expect.stringMatching(/^ferry demo --keep +# the same/));
    expect(direct).toContainEqual(expect.stringMatching(/^ferry init +# a draft spec per target table/));
  });

  it('quotes for a POSIX shell only what needs it', () => {
    expect(shellQuote('/tmp/ferry-demo-Ab12/project')).toBe('/tmp/ferry-demo-Ab12/project');
    expect(shellQuote("/tmp/it's here")).toBe(`'/tmp/it'\\''s here'`);
  });
});
