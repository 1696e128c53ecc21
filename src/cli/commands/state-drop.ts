// `ferry state drop`: removes the `_ferry` schema from the target once the project is over. Without
// --confirm it lists what it would drop (tables and their rows) and changes nothing; with it, it drops
// under the run lock. Exit 0 either way; 1 when refused (an apply running, a bulk rebuild pending).

import { connectPostgres } from '../../db/postgres.js';
import { FerryError } from '../../errors.js';
import { groupDigits } from '../../report/plan-report.js';
import { loadSpecs } from '../../spec/load.js';
import { dropState, readStateContents, type StateContents } from '../../state/drop-state.js';
import type { CliContext } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';

export interface StateDropCommandOptions {
  readonly confirm?: boolean;
}

export async function stateDropCommand(
  context: CliContext,
  options: StateDropCommandOptions,
): Promise<ExitCodeValue> {
  // Only the project file's target is needed: migrations that no longer compile do not matter here.
  const loaded = await loadSpecs(context.specsDir, { env: context.env, cwd: context.projectDir });
  if (!loaded.specs) throw new FerryError(loaded.diagnostics);
  const client = await connectPostgres(loaded.specs.project.target.url, 'target');
  let contents: StateContents | undefined;
  const dropped = options.confirm === true;
  try {
    contents = dropped ? await dropState(client) : await readStateContents(client);
  } finally {
    await client.end().catch(() => {});
  }
  if (context.json) {
    context.out(
      JSON.stringify(
        { ok: true, dropped: dropped && contents !== undefined, state: contents ?? null },
        null,
        2,
      ),
    );
    return ExitCode.ok;
  }
  if (!contents) {
    context.out('nothing to drop: the target has no _ferry schema');
    return ExitCode.ok;
  }
  const names = contents.objects.map((o) => `_ferry.${o.name}`);
  const width = Math.max(...names.map((name) => name.length), 6);
  context.out(`${'object'.padEnd(width)}  ${'rows'.padStart(8)}`);
  contents.objects.forEach((object, i) => {
    const rows = object.rows === null ? 'view' : groupDigits(object.rows);
    context.out(`${(names[i] as string).padEnd(width)}  ${rows.padStart(8)}`);
  });
  context.out('');
  const what = `the _ferry schema (version ${contents.version}, ${contents.objects.length} objects)`;
  context.out(
    dropped
      ? context.style.green(`✓ dropped ${what}`)
      : `would drop ${what}, with the key mappings and the log: run \`ferry state drop --confirm\` to drop it`,
  );
  return ExitCode.ok;
}
