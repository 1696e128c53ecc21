// Step outputs and the job summary under GitHub Actions, written to temporary files as the runner
// would hand them: the multi-line output form, its delimiter guard, and nothing outside Actions.

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendStepSummary, formatOutput, writeOutputs } from '../../src/cli/github.js';

async function files() {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-github-'));
  const output = join(dir, 'output');
  const summary = join(dir, 'summary');
  await writeFile(output, 'earlier=1\n');
  await writeFile(summary, '');
  return { output, summary };
}

describe('GitHub Actions outputs', () => {
  it('writes each output as name<<DELIMITER, the value, DELIMITER', () => {
    expect(formatOutput('changed', 'orders\ntags', 'ghadelimiter_x')).toBe(
      'changed<<ghadelimiter_x\norders\ntags\nghadelimiter_x\n',
    );
    expect(formatOutput('removed', '', 'ghadelimiter_x')).toBe('removed<<ghadelimiter_x\n\nghadelimiter_x\n');
    expect(() => formatOutput('changed', 'a\nghadelimiter_x\nevil=1', 'ghadelimiter_x')).toThrow(
      'the output changed contains its delimiter',
    );
    // A fresh random delimiter each time: no value can guess it.
    const first = /<<(.+)\n/.exec(formatOutput('a', 'b'))?.[1];
    const second = /<<(.+)\n/.exec(formatOutput('a', 'b'))?.[1];
    expect(first).toMatch(/^ghadelimiter_[0-9a-f-]{36}$/);
    expect(first).not.toBe(second);
  });

  it('appends to the files the runner names, and only under Actions', async () => {
    const { output, summary } = await files();
    const err: string[] = [];
    const context = {
      github: true,
      env: { GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary },
      err: (text: string) => err.push(text),
    };
    writeOutputs(context, { 'exit-code': 2, paused: false });
    appendStepSummary(context, '### ferry plan\n');
    appendStepSummary(context, '### ferry apply');
    const written = await readFile(output, 'utf8');
    expect(written).toMatch(
      /^earlier=1\nexit-code<<(ghadelimiter_[0-9a-f-]{36})\n2\n\1\npaused<<(ghadelimiter_[0-9a-f-]{36})\nfalse\n\2\n$/,
    );
    expect(await readFile(summary, 'utf8')).toBe('### ferry plan\n\n### ferry apply\n\n');

    const outside = await files();
    const quiet = {
      ...context,
      github: false,
      env: { GITHUB_OUTPUT: outside.output, GITHUB_STEP_SUMMARY: outside.summary },
    };
    writeOutputs(quiet, { 'exit-code': 0 });
    appendStepSummary(quiet, 'x');
    expect(await readFile(outside.output, 'utf8')).toBe('earlier=1\n');
    expect(await readFile(outside.summary, 'utf8')).toBe('');

    writeOutputs({ ...context, env: { GITHUB_OUTPUT: join(output, 'not-a-dir', 'file') } }, { a: 1 });
    expect(err).toEqual(['warning: cannot write GITHUB_OUTPUT (ENOTDIR)']);
  });
});
