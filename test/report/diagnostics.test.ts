// Diagnostic rendering: the human form and GitHub's workflow-command escaping.

import { describe, expect, it } from 'vitest';
import { errorDiagnostic } from '../../src/errors.js';
import {
  annotationPath,
  formatDiagnostic,
  githubAnnotation,
  workflowAnnotation,
} from '../../src/report/diagnostics.js';

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

  it('escapes %, CR and LF everywhere, and : and , in properties only, with the column', () => {
    expect(
      workflowAnnotation('warning', 'a: b, c\r\n50%', {
        title: 'ferry: x, y',
        location: { file: 'specs/a,b:c%.yaml', line: 12, column: 34 },
      }),
    ).toBe('::warning file=specs/a%2Cb%3Ac%25.yaml,line=12,col=34,title=ferry%3A x%2C y::a: b, c%0D%0A50%25');
  });

  it('names the file from the workspace root when ferry runs deeper in it', () => {
    const options = { workspace: '/home/runner/work/repo', cwd: '/home/runner/work/repo/warehouse' };
    expect(annotationPath('specs/orders.yaml', options)).toBe('warehouse/specs/orders.yaml');
    expect(annotationPath('specs/orders.yaml', { cwd: options.cwd })).toBe('specs/orders.yaml');
    expect(annotationPath('/elsewhere/specs/orders.yaml', options)).toBe('/elsewhere/specs/orders.yaml');
    expect(
      githubAnnotation(
        errorDiagnostic('spec.unknown-ref', 'no migration `tag`', {
          location: { file: 'specs/orders.yaml', line: 4, column: 9 },
        }),
        options,
      ),
    ).toBe(
      '::error file=warehouse/specs/orders.yaml,line=4,col=9,title=ferry spec.unknown-ref::no migration `tag`',
    );
  });
});
