// Documentation that cannot drift: every error code has its troubleshooting entry, the spec
// reference documents exactly the keys the schema defines, and the README and guides stay true.

import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../src/cli/exit-codes.js';
import { loadPlan } from '../src/compiler/load-plan.js';
import { ERROR_CODES, FerryError } from '../src/errors.js';
import { expectApplyFinished, runFerry } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

type Schema = {
  $ref?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  $defs?: Record<string, Schema>;
};

const schema = JSON.parse(readFileSync('schemas/spec.schema.json', 'utf8')) as Schema;
const specDoc = readFileSync('docs/spec.md', 'utf8');

function resolve(node: Schema): Schema {
  if (!node.$ref) return node;
  const name = node.$ref.replace('#/$defs/', '');
  return resolve(schema.$defs?.[name] as Schema);
}

/** Dotted key paths of a definition: `source.url`, `agents[].command`, `batch.size`. */
function keyPaths(node: Schema, prefix = ''): string[] {
  const resolved = resolve(node);
  const branches = resolved.anyOf ?? [resolved];
  return branches.flatMap((branch) => {
    const own = resolve(branch);
    if (own.items) return keyPaths(own.items, `${prefix}[]`);
    return Object.entries(own.properties ?? {}).flatMap(([key, child]) => {
      const path = prefix === '' ? key : prefix.endsWith('[]') ? `${prefix}.${key}` : `${prefix}.${key}`;
      return [path, ...keyPaths(child, path)];
    });
  });
}

/** The first cells of the table rows under a heading (up to the next heading), without backticks. */
function documentedKeys(heading: string): string[] {
  const section = specDoc.split(`\n${heading}\n`)[1]?.split(/\n#{2,3} /)[0] ?? '';
  return [...section.matchAll(/^\| `([^`:]+)` +\|/gm)].map((m) => m[1] as string);
}

describe('docs', () => {
  it('explains every error code in docs/troubleshooting.md', () => {
    const troubleshooting = readFileSync('docs/troubleshooting.md', 'utf8');
    const missing = ERROR_CODES.filter((code) => !troubleshooting.includes(`### \`${code}\``));
    expect(missing).toEqual([]);
  });

  it('documents exactly the project file keys of the schema', () => {
    const fromSchema = keyPaths(schema.$defs?.project as Schema).sort();
    expect(documentedKeys('## The project file').sort()).toEqual([...new Set(fromSchema)].sort());
  });

  it('documents exactly the migration keys of the schema', () => {
    const migration = schema.$defs?.migration as Schema;
    const topLevel = Object.entries(migration.properties ?? {}).flatMap(([key, child]) =>
      key === 'columns' || key === 'from' || key === 'to' ? [key] : [key, ...keyPaths(child, key)],
    );
    expect(documentedKeys('## Migrations').sort()).toEqual(topLevel.sort());
  });

  it('documents every form of a column', () => {
    const column = keyPaths(schema.$defs?.column as Schema).sort();
    expect(documentedKeys('### Columns').sort()).toEqual(column);
  });
});

// The README and the pages a newcomer reads next: the README's tables stay what the code and the
// schema say, every link leads somewhere, and every spec in the guides loads.

const README = readFileSync('README.md', 'utf8');

/** The section under a `## ` heading, up to the next one. */
function readmeSection(heading: string): string {
  return README.split(`\n## ${heading}\n`)[1]?.split(/\n## /)[0] ?? '';
}

/** The pages under docs/ (guides included), as paths from the repository root. */
function docPages(): string[] {
  return [
    ...readdirSync('docs')
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
    ...readdirSync('docs/guides').map((name) => `docs/guides/${name}`),
  ].sort();
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsIn(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/^```[\s\S]*?^```$/gm, '');
  return new Set([...withoutCode.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1] as string)));
}

/** Relative links of a Markdown file that lead nowhere: a missing file, or a heading it lacks. */
function brokenLinks(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```$/gm, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] as string)
    .filter((target) => !/^[a-z]+:/.test(target))
    .filter((target) => {
      const [path = '', anchor] = target.split('#');
      const resolved = path === '' ? file : join(dirname(file), path);
      if (!existsSync(resolved)) return true;
      if (anchor === undefined || !resolved.endsWith('.md')) return false;
      return !anchorsIn(readFileSync(resolved, 'utf8')).has(anchor);
    });
}

interface Fenced {
  readonly language: string;
  readonly text: string;
  /** The specs directory a spec block belongs to, set by `<!-- specs: DIR -->` (or `none`). */
  readonly base: string;
}

/** Fenced blocks in order, each with the specs base the page set before it (default `specs`). */
function fencedBlocks(markdown: string): Fenced[] {
  let base = 'specs';
  const blocks: Fenced[] = [];
  for (const match of markdown.matchAll(/<!-- specs: (\S+) -->|^```(\w*)\n([\s\S]*?)^```$/gm)) {
    if (match[1] !== undefined) base = match[1];
    else blocks.push({ language: match[2] ?? '', text: match[3] ?? '', base });
  }
  return blocks;
}

/** A YAML block whose first line names a spec file (`# specs/orders.yaml`): its file name. */
function specFileOf(block: Fenced): string | undefined {
  if (block.language !== 'yaml') return undefined;
  return /^# (?:[\w./-]*\/)?specs\/([\w.-]+\.ya?ml)\n/.exec(block.text)?.[1];
}

describe('README', () => {
  it('lists exactly the exit codes of src/cli/exit-codes.ts', () => {
    const rows = [...readmeSection('Exit codes').matchAll(/^\| (\d+) \| (.+) \|$/gm)];
    expect(rows.map((m) => Number(m[1]))).toEqual(Object.values(ExitCode));
    for (const row of rows) expect((row[2] as string).trim()).not.toBe('');
  });

  it('names every top-level key of the spec schema and every form of a column, and links docs/spec.md', () => {
    const section = readmeSection('The spec language');
    const keys = [
      ...Object.keys(schema.$defs?.project?.properties ?? {}),
      ...Object.keys(schema.$defs?.migration?.properties ?? {}),
      ...keyPaths(schema.$defs?.column as Schema),
    ];
    expect(keys.length).toBeGreaterThan(15);
    expect(keys.filter((key) => !section.includes(`\`${key}\``))).toEqual([]);
    expect(section).toContain('](docs/spec.md)');
  });

  it('links every page under docs/', () => {
    expect(docPages().filter((page) => !README.includes(`](${page})`))).toEqual([]);
  });

  it.each(['README.md', ...docPages()])('%s has no broken relative link', (file) => {
    expect(brokenLinks(file)).toEqual([]);
  });
});

describe('guides', () => {
  const guides = readdirSync('docs/guides').map((name) => `docs/guides/${name}`);

  it('cover every task of the newcomer’s path', () => {
    expect(guides.sort()).toEqual([
      'docs/guides/dry-runs-in-ci.md',
      'docs/guides/external-agent.md',
      'docs/guides/first-migration.md',
      'docs/guides/handling-violations.md',
      'docs/guides/junction-tables-and-generated-keys.md',
      'docs/guides/rollback.md',
    ]);
  });

  it.each(guides)('%s: every spec block loads with the real spec loader, in its project', async (guide) => {
    const blocks = fencedBlocks(readFileSync(guide, 'utf8'));
    const specBlocks = blocks.filter((block) => specFileOf(block) !== undefined);
    // These two work on specs the other guides show; every other guide shows its own.
    const specless = guide.endsWith('dry-runs-in-ci.md') || guide.endsWith('/rollback.md');
    expect(specBlocks.length > 0, `spec blocks in ${guide}`).toBe(!specless);
    for (const [index, block] of specBlocks.entries()) {
      // The project as the page has it at this block: the base directory, each file of the page in
      // its first version, the files shown so far in their latest.
      const sameBase = specBlocks.filter((other) => other.base === block.base);
      const files = new Map<string, string>();
      for (const other of [...sameBase].reverse()) files.set(specFileOf(other) as string, other.text);
      for (const other of specBlocks.slice(0, index + 1).filter((b) => b.base === block.base))
        files.set(specFileOf(other) as string, other.text);
      const dir = mkdtempSync(join(tmpdir(), 'ferry-guide-'));
      try {
        const specsDir = join(dir, 'specs');
        if (block.base === 'none') mkdirSync(specsDir);
        else cpSync(block.base, specsDir, { recursive: true });
        for (const [name, text] of files) writeFileSync(join(specsDir, name), text);
        const loaded = await loadPlan(specsDir, { requireEnv: false }).catch((error: FerryError) => error);
        const problems = loaded instanceof FerryError ? loaded.diagnostics.map((d) => d.message) : [];
        expect(problems, `${guide}, block ${index + 1} (${specFileOf(block)})`).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});

describe('the first-migration and external-agent guides, run as written', () => {
  const first = fencedBlocks(readFileSync('docs/guides/first-migration.md', 'utf8'));
  const agentGuide = fencedBlocks(readFileSync('docs/guides/external-agent.md', 'utf8'));
  /** The guide's SQL for one database: the block that starts `-- in the source database`. */
  const sqlFor = (database: 'source' | 'target') =>
    first.find((block) => block.language === 'sql' && block.text.startsWith(`-- in the ${database} database`))
      ?.text;
  /** A spec block's text as the guide shows it, without the line naming its file. */
  const specBlocks = (blocks: readonly Fenced[], file: string) =>
    blocks.filter((block) => specFileOf(block) === file).map((block) => block.text.replace(/^.*\n/, ''));
  /** A spec file without its leading comment lines: what init writes, compared with what the guide shows. */
  const body = (text: string) => text.replace(/^(#.*\n)+/, '');
  const outputBlock = (blocks: readonly Fenced[], first: string) =>
    blocks.find((block) => block.language === '' && block.text.startsWith(first))?.text ?? '';

  let source: TestDatabase;
  let target: TestDatabase;
  let env: Record<string, string>;
  const dirs: string[] = [];
  const projectDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-guide-run-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    source = await createTestDatabase('guide_src', sqlFor('source'));
    target = await createTestDatabase('guide_tgt', sqlFor('target'));
    env = { FERRY_SOURCE_URL: source.url, FERRY_TARGET_URL: target.url };
  });

  afterAll(async () => {
    await Promise.all([source?.drop(), target?.drop()]);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('first migration: init drafts what the guide shows, the decision it shows, and the settled spec applies and verifies', async () => {
    const dir = projectDir();
    const init = await runFerry(['init'], { cwd: dir, env });
    expect(init.exitCode).toBe(0);
    expect(init.stdout).toBe(outputBlock(first, '✓ drafted').trimEnd());
    const [draft, settled] = specBlocks(first, 'customers.yaml');
    expect(body(readFileSync(join(dir, 'specs/customers.yaml'), 'utf8'))).toBe(body(draft as string));
    expect(body(readFileSync(join(dir, 'specs/ferry.yaml'), 'utf8'))).toBe(
      body(specBlocks(first, 'ferry.yaml')[0] as string),
    );

    const undecided = await runFerry(['plan'], { cwd: dir, env });
    expect(undecided.exitCode).toBe(2);
    const shown = outputBlock(first, 'layer 1\n  customers');
    const decisions = shown.slice(shown.indexOf('Decisions to take')).trimEnd();
    expect(decisions).toMatch(/^Decisions to take \(1\)/);
    expect(undecided.stdout).toContain(decisions);

    writeFileSync(join(dir, 'specs/customers.yaml'), settled as string);
    expect((await runFerry(['validate'], { cwd: dir, env })).exitCode).toBe(0);
    expect((await runFerry(['plan'], { cwd: dir, env })).exitCode).toBe(0);
    expectApplyFinished(await runFerry(['apply'], { cwd: dir, env }), 1);
    const verified = await runFerry(['verify'], { cwd: dir, env });
    expect(verified.exitCode).toBe(0);
    expect(verified.stdout).toMatch(/^customers +ok +200 +200 +4\/4 +-$/m);
    const tiers = await target.query<{ tier: string; n: string }>(
      'SELECT tier, count(*) AS n FROM app.customers GROUP BY tier ORDER BY tier',
    );
    expect(tiers).toEqual([
      { tier: 'gold', n: '20' },
      { tier: 'standard', n: '180' },
    ]);
  });

  it('external agent: the guide’s agent, registered as shown, fills phone and is pinned in ferry.lock', async () => {
    const dir = projectDir();
    mkdirSync(join(dir, 'specs'));
    mkdirSync(join(dir, 'agents'));
    for (const file of ['ferry.yaml', 'customers.yaml'])
      writeFileSync(join(dir, 'specs', file), specBlocks(agentGuide, file)[0] as string);
    const agent = agentGuide.find((block) => block.language === 'js')?.text;
    expect(agent).toContain('process.stdout.write');
    writeFileSync(join(dir, 'agents/renames.mjs'), agent as string);

    const planned = await runFerry(['plan', '--update-lock'], { cwd: dir, env });
    expect(planned.stderr).toBe('');
    expect(planned.exitCode).toBe(0);
    const shownPlan = outputBlock(agentGuide, 'layer 1');
    const phoneLine = shownPlan.split('\n').find((line) => line.includes('phone '));
    expect(phoneLine).toMatch(/renames 0\.95/);
    expect(planned.stdout).toContain(phoneLine);
    const lockLine = outputBlock(agentGuide, '      phone:').trimEnd();
    expect(readFileSync(join(dir, 'ferry.lock'), 'utf8')).toContain(lockLine);
  });
});
