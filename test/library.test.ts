// The package's entry point offers what the README's library section imports, from the built files
// a user installs.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('the library entry point', () => {
  it('exports every name the README imports from ferry', async () => {
    const readme = readFileSync('README.md', 'utf8');
    const imported = [...readme.matchAll(/import \{([^}]+)\} from 'ferry'/g)].flatMap((m) =>
      (m[1] as string).split(',').map((name) => name.trim()),
    );
    expect(imported.length).toBeGreaterThan(3);
    const library = (await import('../dist/index.js' as string)) as Record<string, unknown>;
    expect(imported.filter((name) => typeof library[name] !== 'function')).toEqual([]);
  });
});
