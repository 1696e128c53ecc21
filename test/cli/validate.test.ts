// `ferry validate` as a user runs it: exit codes, file:line:column messages, JSON, GitHub annotations,
// and never a stack trace or a secret.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runFerry } from '../support/cli.js';
import { migrationYaml, TEST_ENV, writeSpecDir } from '../support/spec-fixtures.js';

const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

async function brokenSpecs(): Promise<string> {
  return writeSpecDir({
    'orders.yaml': migrationYaml(
      'orders',
      'legacy.o',
      'app.orders',
      'colums: {}\ncolumns:\n  total: { expr: "1); DROP TABLE x; --" }\n',
    ),
    'tags.yaml': migrationYaml('tags', 'legacy.t', 'app.tags', 'columns:\n  parent_id: { ref: tag }\n'),
  });
}

describe('ferry validate', () => {
  it('prints the version', async () => {
    const result = await runFerry(['--version']);
    expect(result).toEqual({ exitCode: 0, stdout: version, stderr: '' });
  });

  it('accepts the reference specs offline and exits 0', async () => {
    const result = await runFerry(['validate', '--offline']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('✓ specs are valid: 5 migrations in 3 layers');
  });

  it('names the unset connection variables and exits 1', async () => {
    const result = await runFerry(['validate']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n').filter((l) => l.includes('error['))).toEqual([
      'specs/ferry.yaml:5:8: error[spec.env-unset]: environment variable FERRY_SOURCE_URL is not set (used by `source.url`)',
      'specs/ferry.yaml:8:8: error[spec.env-unset]: environment variable FERRY_TARGET_URL is not set (used by `target.url`)',
    ]);
  });

  it('lists every problem with a hint, without a stack trace or a secret', async () => {
    const dir = await brokenSpecs();
    const result = await runFerry(['validate', dir], { cwd: dir, env: TEST_ENV });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      [
        'orders.yaml:4:1: error[spec.unknown-key]: unknown key `colums`',
        '  hint: did you mean `columns`?',
        'orders.yaml:6:18: error[spec.expression]: `columns.total.expr` not valid SQL at character 2: syntax error at or near ")"',
        '  hint: write one SQL scalar expression over source columns, e.g. "amount_cents / 100.0"',
        'tags.yaml:5:21: error[spec.unknown-ref]: column `parent_id` refers to migration `tag`, which does not exist',
        '  hint: did you mean `tags`?',
        '3 errors',
      ].join('\n'),
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr + result.stdout).not.toContain('secret');
  });

  it('writes diagnostics as JSON with --json', async () => {
    const dir = await brokenSpecs();
    const result = await runFerry(['--json', 'validate', dir], { cwd: dir, env: TEST_ENV });
    expect(result.exitCode).toBe(1);
    const output = JSON.parse(result.stdout) as {
      ok: boolean;
      diagnostics: Array<{ code: string; location: unknown }>;
    };
    expect(output.ok).toBe(false);
    expect(output.diagnostics.map((d) => d.code)).toEqual([
      'spec.unknown-key',
      'spec.expression',
      'spec.unknown-ref',
    ]);
    expect(output.diagnostics[0]?.location).toEqual({ file: 'orders.yaml', line: 4, column: 1 });
    const valid = await runFerry(['validate', '--offline', '--json']);
    expect(JSON.parse(valid.stdout)).toEqual({ ok: true, migrations: 5, layers: 3, diagnostics: [] });
  });

  it('annotates the pull request under GitHub Actions', async () => {
    const dir = await brokenSpecs();
    const result = await runFerry(['validate', dir], {
      cwd: dir,
      env: { ...TEST_ENV, GITHUB_ACTIONS: 'true' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n').slice(0, 3)).toEqual([
      '::error file=orders.yaml,line=4,col=1,title=ferry spec.unknown-key::unknown key `colums`%0Adid you mean `columns`?',
      '::error file=orders.yaml,line=6,col=18,title=ferry spec.expression::`columns.total.expr` not valid SQL at character 2: syntax error at or near ")"%0Awrite one SQL scalar expression over source columns, e.g. "amount_cents / 100.0"',
      '::error file=tags.yaml,line=5,col=21,title=ferry spec.unknown-ref::column `parent_id` refers to migration `tag`, which does not exist%0Adid you mean `tags`?',
    ]);
  });

  it('colours only when allowed: FORCE_COLOR on, NO_COLOR wins', async () => {
    const dir = await brokenSpecs();
    const forced = await runFerry(['validate', dir], { cwd: dir, env: { ...TEST_ENV, FORCE_COLOR: '1' } });
    expect(forced.stderr).toContain('\u001b[31m');
    const plain = await runFerry(['validate', dir], {
      cwd: dir,
      env: { ...TEST_ENV, FORCE_COLOR: '1', NO_COLOR: '1' },
    });
    expect(plain.stderr).not.toContain('\u001b[');
  });

  it('exits 1 on a usage mistake, with the usage hint', async () => {
    const unknownCommand = await runFerry(['valdate']);
    expect(unknownCommand.exitCode).toBe(1);
    expect(unknownCommand.stderr).toContain("error: unknown command 'valdate'");
    const unknownOption = await runFerry(['validate', '--ofline']);
    expect(unknownOption.exitCode).toBe(1);
    expect(unknownOption.stderr).toContain("error: unknown option '--ofline'");
  });
});
