// Diagnostic rendering: the human form and GitHub's workflow-command escaping.

import { describe, expect, it } from 'vitest';
import { errorDiagnostic } from '../../src/errors.js';
import { formatDiagnostic, githubAnnotation } from '../../src/report/diagnostics.js';

describe('diagnostics', () => {
  const diagnostic = errorDiagnostic('spec.unknown-key', 'unknown key `a:b`\n100% wrong', {
    hint: 'did you mean `b`?',
    location: { file: 'dir,with:odd/file.yaml', line: 3, column: 7 },
  });

  it('formats file:line:column, code, message and hint', () => {
    expect(formatDiagnostic(diagnostic)).toBe(
      'dir,with:odd/file.yaml:3:7: error[spec.unknown-key]: unknown key `a:b`\n100% wrong\n  hint: did you mean `b`?',
    );
  });

  it('escapes workflow commands as the Actions runner expects', () => {
    expect(githubAnnotation(diagnostic)).toBe(
      '::error file=dir%2Cwith%3Aodd/file.yaml,line=3,col=7,title=ferry spec.unknown-key::unknown key `a:b`%0A100%25 wrong%0Adid you mean `b`?',
    );
  });

  it('annotates without a location', () => {
    expect(githubAnnotation(errorDiagnostic('spec.no-project', 'no project file'))).toBe(
      '::error title=ferry spec.no-project::no project file',
    );
  });
});
