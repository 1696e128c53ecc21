// sourceTimeZone at validate time: IANA names pass (aliases included), anything else is an error at
// the exact file:line:column with a hint that names the right spelling or the closest zone.

import { describe, expect, it } from 'vitest';
import { loadSpecs } from '../../src/spec/load.js';
import { timeZoneProblem } from '../../src/spec/time-zone.js';
import { PROJECT_YAML, TEST_ENV, writeSpecDir } from '../support/spec-fixtures.js';

describe('timeZoneProblem', () => {
  it('accepts IANA names, their aliases and UTC', () => {
    for (const name of [
      'Europe/Berlin',
      'America/New_York',
      'UTC',
      'Etc/UTC',
      'Etc/GMT-3',
      'US/Eastern',
      'Asia/Kolkata',
    ])
      expect(timeZoneProblem(name), name).toBeUndefined();
  });

  it('names the closest zone for a typo and the right spelling for a case slip', () => {
    expect(timeZoneProblem('Europe/Berln')).toEqual({
      message: '`Europe/Berln` is not a time zone of the IANA database',
      hint: 'did you mean `Europe/Berlin`?',
    });
    expect(timeZoneProblem('america/new_york')).toEqual({
      message: '`america/new_york` is spelt `America/New_York` in the IANA time zone database',
      hint: 'write sourceTimeZone: America/New_York',
    });
    expect(timeZoneProblem('Mars/Olympus_Mons')?.hint).toBe(
      'write an IANA name such as Europe/Berlin, America/New_York or UTC',
    );
  });

  it('refuses offsets and POSIX rules, whose sign PostgreSQL reads reversed', () => {
    for (const name of ['+03:00', 'UTC+3', '<+03>-03', '-5']) {
      expect(timeZoneProblem(name)?.message, name).toBe(
        `\`${name}\` is an offset or a POSIX rule, not an IANA time zone name`,
      );
    }
    expect(timeZoneProblem('UTC+3')?.hint).toContain('Etc/GMT-3 is three hours east of Greenwich');
  });
});

describe('loadSpecs: sourceTimeZone', () => {
  const load = async (projectYaml: string, env: Record<string, string> = TEST_ENV) => {
    const dir = await writeSpecDir({ 'ferry.yaml': projectYaml });
    return loadSpecs(dir, { env, cwd: dir });
  };

  it('carries a valid zone and where it is written', async () => {
    const { specs, diagnostics } = await load(`${PROJECT_YAML}sourceTimeZone: America/New_York\n`);
    expect(diagnostics).toEqual([]);
    expect(specs?.project.sourceTimeZone).toEqual({
      name: 'America/New_York',
      location: { file: 'ferry.yaml', line: 4, column: 17 },
    });
  });

  it('reports an unknown zone at its file, line and column', async () => {
    const { specs, diagnostics } = await load(`${PROJECT_YAML}sourceTimeZone: Europe/Berln\n`);
    expect(specs).toBeUndefined();
    expect(diagnostics).toEqual([
      {
        severity: 'error',
        code: 'spec.time-zone',
        message: '`Europe/Berln` is not a time zone of the IANA database',
        hint: 'did you mean `Europe/Berlin`?',
        location: { file: 'ferry.yaml', line: 4, column: 17 },
      },
    ]);
  });

  it('checks a zone taken from the environment, and leaves an unset one to offline validation', async () => {
    const yaml = `${PROJECT_YAML}sourceTimeZone: \${env:FERRY_ZONE}\n`;
    const typo = await load(yaml, { ...TEST_ENV, FERRY_ZONE: 'Europe/Pari' });
    expect(typo.diagnostics.map((d) => `${d.code} ${d.hint}`)).toEqual([
      'spec.time-zone did you mean `Europe/Paris`?',
    ]);
    const dir = await writeSpecDir({ 'ferry.yaml': yaml });
    const offline = await loadSpecs(dir, { env: TEST_ENV, cwd: dir, requireEnv: false });
    expect(offline.diagnostics).toEqual([]);
  });
});
