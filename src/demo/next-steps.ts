// What the demo prints last: commands to try next, ready to paste. After `--keep` they point at the
// server left running (its URLs, the project directory, how to stop it); otherwise at the user's own
// databases.

import type { Style } from '../report/style.js';

export interface NextStepsInput {
  /** How this ferry is run: `node /path/to/dist/cli/main.js`. */
  readonly ferry: string;
  /** True under `npm run demo`, whose flags follow `--`. */
  readonly viaNpm: boolean;
  readonly style: Style;
}

export interface KeptServer {
  readonly pid: number;
  readonly rootDir: string;
  readonly projectDir: string;
  readonly source: string;
  readonly target: string;
}

/** A `label  text` line of the closing sections, in the demo's layout. */
export type Line = readonly [label: string, text: string];

export function keptLines(input: NextStepsInput, kept: KeptServer): Line[] {
  const dir = shellQuote(kept.projectDir);
  const commands: [string, string][] = [
    [`export FERRY_SOURCE_URL=${kept.source}`, ''],
    [`export FERRY_TARGET_URL=${kept.target}`, ''],
    [`alias ferry=${shellQuote(input.ferry)}`, ''],
    [`ferry status --dir ${dir}`, 'what _ferry recorded of each migration'],
    [`ferry rollback --select orders --dir ${dir}`, 'take the orders back out'],
    [`ferry diff --dir ${dir}`, 'orders: not applied (exit 2)'],
    [`ferry apply --dir ${dir}`, 'loads them again, only them'],
    [`ferry plan --format markdown --dir ${dir}`, 'the pull-request comment'],
    [`psql "$FERRY_TARGET_URL" -c 'TABLE app.orders LIMIT 5'`, 'the rows themselves'],
  ];
  return [
    ['kept', `the server runs on as process ${kept.pid}, with its files in ${kept.rootDir}`],
    ['', `source  ${kept.source}`],
    ['', `target  ${kept.target}`],
    ['', ''],
    ['next', 'explore it: paste these into a shell'],
    ...aligned(commands, input.style),
    ['', ''],
    ['stop', `${input.ferry} demo --stop ${shellQuote(kept.rootDir)}`],
    [
      '',
      input.style.dim(
        `(or: kill -INT ${kept.pid}, and once it has exited, rm -rf ${shellQuote(kept.rootDir)})`,
      ),
    ],
  ];
}

export function nextLines(input: NextStepsInput): Line[] {
  const keep = input.viaNpm ? 'npm run demo -- --keep' : 'ferry demo --keep';
  const commands: [string, string][] = [
    [`alias ferry=${shellQuote(input.ferry)}`, ''],
    [keep, 'the same, with the server left running to explore'],
    ['export FERRY_SOURCE_URL=postgres://… FERRY_TARGET_URL=postgres://…', 'your own databases'],
    ['ferry init', 'a draft spec per target table, in specs/'],
    ['ferry doctor', 'connections, privileges, settings'],
    ['ferry validate && ferry plan', 'check them; see what the agents infer'],
  ];
  return [
    ['next', 'try it on your own databases (docs/guides/first-migration.md has the whole path)'],
    ...aligned(commands, input.style),
  ];
}

/** Commands with their comments lined up after them, as shell comments so a paste runs as is. */
function aligned(commands: readonly (readonly [string, string])[], style: Style): Line[] {
  const width = Math.max(...commands.filter(([, note]) => note !== '').map(([command]) => command.length));
  return commands.map(([command, note]) => [
    '',
    note === '' ? command : `${command.padEnd(width)}  ${style.dim(`# ${note}`)}`,
  ]);
}

/** A word for a POSIX shell: as it is when that is safe, otherwise in single quotes. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
