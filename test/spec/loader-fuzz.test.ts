// The spec loader under property-based fuzzing (loader-property.ts): generated spec directories, with a
// fixed seed so that a failure repeats. FERRY_FUZZ_RUNS and FERRY_FUZZ_SEED change both; `npm run fuzz
// -- --runs 10000` runs many more outside the suite.

import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/errors.js';
import { diagnosticProblem, fuzzSpecLoader } from './loader-property.js';
import { FUZZ_ENV } from './spec-arbitraries.js';

const runs = Number(process.env.FERRY_FUZZ_RUNS ?? 1000);
const seed = Number(process.env.FERRY_FUZZ_SEED ?? 20251125);

describe('the spec loader under fuzzing', () => {
  it(`turns ${runs} generated spec directories into diagnostics, never an exception (seed ${seed})`, async () => {
    const result = await fuzzSpecLoader({ runs, seed });
    expect(result.failure, `reproduce with FERRY_FUZZ_SEED=${seed}`).toBeUndefined();
    expect(result.runs).toBe(runs);
    // The generators reach both ends: directories that load, and many mistakes.
    expect(result.loaded).toBeGreaterThan(runs / 50);
    expect(result.diagnostics).toBeGreaterThan(runs);
  }, 180_000);

  describe('the property refuses', () => {
    const lines = new Map([['m.yaml', ['migration: m', 'from: legacy.m']]]);
    const at = (line: number, column: number) => ({ file: 'm.yaml', line, column });
    type Fields = { [K in keyof Diagnostic]?: Diagnostic[K] | undefined };
    /** A diagnostic inside m.yaml, with `fields` changed (undefined removes one). */
    const diagnostic = (fields: Fields): Diagnostic => {
      const all = {
        severity: 'error',
        code: 'spec.schema',
        message: 'a message',
        location: at(1, 1),
        ...fields,
      };
      return Object.fromEntries(
        Object.entries(all).filter(([, value]) => value !== undefined),
      ) as unknown as Diagnostic;
    };

    it.each<[string, Fields, string]>([
      ['no location', { location: undefined }, 'no location'],
      ['a file not written', { location: { file: 'other.yaml', line: 1, column: 1 } }, 'not written'],
      ['a line past the end', { location: at(3, 1) }, 'line outside'],
      ['a column past the end', { location: at(2, 16) }, 'column outside'],
      ['a stack trace', { message: 'boom\n    at parse (yaml.js:1:2)' }, 'exception leaked'],
      [
        'a TypeError',
        { hint: "TypeError: Cannot read properties of undefined (reading 'x')" },
        'exception leaked',
      ],
      ['a variable value', { message: `bad url ${FUZZ_ENV.FERRY_SOURCE_URL}` }, 'variable value'],
      ['the internal code', { code: 'internal' }, 'unexpected code'],
    ])('%s', (_, fields, problem) => {
      expect(diagnosticProblem(diagnostic(fields), lines)).toContain(problem);
    });

    it('and accepts a diagnostic inside the file, and one about the directory without a location', () => {
      expect(diagnosticProblem(diagnostic({ location: at(2, 15) }), lines)).toBeUndefined();
      expect(
        diagnosticProblem(diagnostic({ code: 'spec.no-project', location: undefined }), lines),
      ).toBeUndefined();
    });
  });
});
