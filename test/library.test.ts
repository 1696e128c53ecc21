// The package's entry point offers what the library section of docs/commands.md imports, from the
// built files a user installs.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('the library entry point', () => {
  it('exports every name the library section of docs/commands.md imports from ferry', async () => {
    const docs = readFileSync('docs/commands.md', 'utf8');
    const imported = [...docs.matchAll(/import \{([^}]+)\} from 'ferry'/g)].flatMap((m) =>
      (m[1] as string).split(',').map((name) => name.trim()),
    );
    expect(imported.length).toBeGreaterThan(3);
    const library = (await import('../dist/index.js' as string)) as Record<string, unknown>;
    expect(imported.filter((name) => typeof library[name] !== 'function')).toEqual([]);
  });
});
