#!/usr/bin/env node
// ferry's command line: parses flags with commander and hands each command to the library. Command
// modules are imported only when their command runs, so `ferry --version` starts fast.

import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { GraphFormat } from '../report/graph.js';
import type { ApplyCommandOptions } from './commands/apply.js';
import type { DemoCommandOptions } from './commands/demo.js';
import type { DiffCommandOptions } from './commands/diff.js';
import type { DoctorCommandOptions } from './commands/doctor.js';
import type { FinalizeCommandOptions } from './commands/finalize.js';
import type { InitCommandOptions } from './commands/init.js';
import type { PlanOptions } from './commands/plan.js';
import type { ReportCommandOptions } from './commands/report.js';
import type { RollbackCommandOptions } from './commands/rollback.js';
import type { StateDropCommandOptions } from './commands/state-drop.js';
import type { VerifyCommandOptions } from './commands/verify.js';
import { type CliContext, createContext, type GlobalOptions } from './context.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import { writeOutputs } from './github.js';

// The SQL parser is WebAssembly. A command runs it briefly, and V8's optimizing tier then only costs
// compile time and a wait at exit (measured: 1,000 parses and exit 0.31 s → 0.16 s). Set before the
// parser loads; library users keep V8's defaults.
setFlagsFromString('--liftoff-only');

// A reader that stops early (`ferry plan | head`) closes the pipe; that ends the command quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1)
    throw new InvalidArgumentError('expected a whole number of 1 or more');
  return parsed;
}

function portNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1 || parsed > 65535)
    throw new InvalidArgumentError('expected a port number from 1 to 65535');
  return parsed;
}

function wholeNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0) throw new InvalidArgumentError('expected a whole number');
  return parsed;
}

/** Options that compare with the base branch's lockfile (`state:modified`, the report's changes). */
const BASE_LOCK_HELP =
  'the base branch\'s ferry.lock (git show "$BASE_SHA:ferry.lock" > base.lock), for state:modified';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

async function run(
  command: Command,
  specsDir: string | undefined,
  action: (context: CliContext) => Promise<ExitCodeValue>,
): Promise<void> {
  const context = createContext(command.optsWithGlobals<GlobalOptions>(), specsDir);
  try {
    process.exitCode = await action(context);
  } catch (error) {
    const { reportFailure } = await import('./report-failure.js');
    process.exitCode = reportFailure(context, error);
  }
  // Under GitHub Actions, later steps branch on it without `continue-on-error` tricks.
  writeOutputs(context, { 'exit-code': process.exitCode ?? ExitCode.ok });
}

const program = new Command('ferry')
  .description(
    'Declarative, GitOps-style data migration from a legacy database into a new PostgreSQL schema.',
  )
  .version(packageJson.version, '-V, --version')
  .option('--dir <path>', 'the project directory, where specs/ and ferry.lock are', '.')
  .option('--json', 'machine-readable output')
  .option('--no-color', 'no colours (NO_COLOR is respected too)')
  .option('--debug', 'show internal details, such as stack traces of bugs')
  .showHelpAfterError('(run ferry --help for usage)')
  .configureOutput({ outputError: (text, write) => write(text) })
  .exitOverride((error) => {
    // Help and version exit 0; every usage mistake exits 1, like any other error.
    process.exit(error.exitCode === 0 ? ExitCode.ok : ExitCode.error);
  });

program
  .command('validate')
  .description('check every spec without connecting to a database')
  .argument('[dir]', 'the specs directory (default: specs/ in the project directory)')
  .option('--offline', 'allow unset ${env:…} variables (review without connection secrets)')
  .action(async (dir: string | undefined, options: { offline?: boolean }, command: Command) => {
    const { validateCommand } = await import('./commands/validate.js');
    await run(command, dir, (context) => validateCommand(context, options));
  });

program
  .command('graph')
  .description('show the dependency graph of the migrations and its layers')
  .addOption(
    new Option('--format <format>', 'output format')
      .choices(['text', 'mermaid', 'dot', 'json'])
      .default('text'),
  )
  .option(
    '-s, --select <selector>',
    'migrations to show: name, +name, name+, @name, glob; commas for union',
    collect,
  )
  .option('--exclude <selector>', 'migrations to leave out (same syntax)', collect)
  .option('--base-lock <file>', `${BASE_LOCK_HELP}; Mermaid marks what changed`)
  .action(
    async (
      options: { format: GraphFormat; select?: string[]; exclude?: string[]; baseLock?: string },
      command: Command,
    ) => {
      const { graphCommand } = await import('./commands/graph.js');
      await run(command, undefined, (context) => graphCommand(context, options));
    },
  );

program
  .command('init')
  .description('draft a spec per target table from both databases, uncertain parts as commented decisions')
  .option('--source <url>', 'the source database (default: $FERRY_SOURCE_URL); never written into the specs')
  .option('--target <url>', 'the target database (default: $FERRY_TARGET_URL); never written into the specs')
  .option('--source-schema <schema>', 'only read this source schema (repeatable)', collect)
  .option('--target-schema <schema>', 'only draft tables of this target schema (repeatable)', collect)
  .option('--out <dir>', 'where to write the drafts', 'specs')
  .option('--force', 'replace existing drafts of the same name')
  .action(async (options: InitCommandOptions, command: Command) => {
    const { initCommand } = await import('./commands/init.js');
    await run(command, undefined, (context) => initCommand(context, options));
  });

program
  .command('plan')
  .description('resolve the specs against both databases, show every decision and pin it in ferry.lock')
  .addOption(
    new Option('--format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'),
  )
  .addOption(
    new Option(
      '--frozen-lock',
      'fail when ferry.lock is stale instead of updating it; never ask agents (for CI)',
    ).conflicts('updateLock'),
  )
  .option('--update-lock', 'ask the agents again for every migration, even where ferry.lock still holds')
  .option('--base-lock <file>', `${BASE_LOCK_HELP}: the Markdown report marks what changed`)
  .option(
    '--artifact-url <url>',
    'with --format markdown: where the full report is, named when it is shortened',
  )
  .option(
    '--max-bytes <n>',
    'with --format markdown: the size bound (default 65000, under a pull-request comment; 0 for none)',
    wholeNumber,
  )
  .option('--comment-key <key>', 'with --format markdown: tells apart the comments of several projects')
  .option(
    '--out <file>',
    'also save the plan with what it was made against, for `ferry apply FILE` (which refuses it once any of that moves)',
  )
  .action(async (options: PlanOptions, command: Command) => {
    const { planCommand } = await import('./commands/plan.js');
    await run(command, undefined, (context) => planCommand(context, options));
  });

program
  .command('report')
  .description(
    'the pull-request report from saved files: a plan (ferry --json plan), a dry run (ferry apply --dry-run --json)',
  )
  .requiredOption('--plan <file>', 'what `ferry --json plan` printed, saved to a file')
  .option('--dry-run <file>', 'what `ferry apply --dry-run --json` printed, saved to a file')
  .option('--base-lock <file>', `${BASE_LOCK_HELP}: the report marks what changed`)
  .option('--artifact-url <url>', 'where the full report is, named when it is shortened')
  .option(
    '--max-bytes <n>',
    'the size bound (default 65000, under a pull-request comment; 0 for none)',
    wholeNumber,
  )
  .option('--comment-key <key>', 'tells apart the comments of several projects in one pull request')
  .option('--out <file>', 'write the report here instead of to standard output')
  .option('--full-out <file>', 'also write the whole report, nothing left out, here')
  .action(async (options: ReportCommandOptions, command: Command) => {
    const { reportCommand } = await import('./commands/report.js');
    await run(command, undefined, (context) => reportCommand(context, options));
  });

program
  .command('apply')
  .description('move the rows of the committed plan, batch by batch, exactly once; resumes where it stopped')
  .argument(
    '[plan-file]',
    'a plan saved by `ferry plan --out`: applied only if the specs, ferry.lock, the tables and the target’s state are as they were then',
  )
  .option('--dry-run', 'run the whole graph in one transaction and roll it back: report what apply would hit')
  .option('--limit <rows>', 'with --dry-run: at most this many rows per migration', positiveInteger)
  .option('--bulk', 'empty targets only: drop indexes and foreign keys while loading, rebuild them after')
  .option(
    '--workers <n>',
    'batches loaded at once per migration (default: the plan’s parallelism)',
    positiveInteger,
  )
  .option('--fail-fast', 'stop every migration at the first pause, not only its descendants')
  .action(async (planFile: string | undefined, options: ApplyCommandOptions, command: Command) => {
    const { applyCommand } = await import('./commands/apply.js');
    await run(command, undefined, (context) =>
      applyCommand(context, { ...options, ...(planFile === undefined ? {} : { planFile }) }),
    );
  });

program
  .command('status')
  .description('what the target holds of each migration: phase, batches done, rows, why it paused')
  .action(async (_options: unknown, command: Command) => {
    const { statusCommand } = await import('./commands/status.js');
    await run(command, undefined, statusCommand);
  });

program
  .command('diff')
  .description('what is planned against what the target holds; exit 2 when they differ')
  .addOption(
    new Option('--format <format>', 'output format').choices(['text', 'markdown', 'json']).default('text'),
  )
  .option('--plan <file>', 'compare with a plan saved by `ferry plan --format json` instead of ferry.lock')
  .option(
    '-s, --select <selector>',
    'migrations to compare: name, +name, name+, @name, glob; commas for union',
    collect,
  )
  .option('--exclude <selector>', 'migrations to leave out (same syntax)', collect)
  .option('--base-lock <file>', BASE_LOCK_HELP)
  .action(async (options: DiffCommandOptions, command: Command) => {
    const { diffCommand } = await import('./commands/diff.js');
    await run(command, undefined, (context) => diffCommand(context, options));
  });

program
  .command('rollback')
  .description(
    'delete the rows ferry inserted for the selected migrations and reset their state, in one transaction',
  )
  .option(
    '-s, --select <selector>',
    'migrations to roll back (default: all with state): name, +name, name+, @name, glob; commas for union',
    collect,
  )
  .option('--exclude <selector>', 'migrations to leave out (same syntax)', collect)
  .option('--dry-run', 'delete inside the transaction, report what would go, and roll it back')
  .option('--base-lock <file>', BASE_LOCK_HELP)
  .option('--force', 'roll back migrations that `ferry finalize` handed over too')
  .action(async (options: RollbackCommandOptions, command: Command) => {
    const { rollbackCommand } = await import('./commands/rollback.js');
    await run(command, undefined, (context) => rollbackCommand(context, options));
  });

program
  .command('verify')
  .description('check that the target holds what the source says: counts, values, orphans')
  .option(
    '-s, --select <selector>',
    'migrations to verify: name, +name, name+, @name, glob; commas for union',
    collect,
  )
  .option('--exclude <selector>', 'migrations to leave out (same syntax)', collect)
  .action(async (options: VerifyCommandOptions, command: Command) => {
    const { verifyCommand } = await import('./commands/verify.js');
    await run(command, undefined, (context) => verifyCommand(context, options));
  });

program
  .command('finalize')
  .description(
    'once verify passes: analyze the loaded tables, move sequences past the loaded keys, mark the migrations finalized',
  )
  .option('--export-mappings <file>', 'write old → new keys of keys: generate migrations to this CSV file')
  .option(
    '-s, --select <selector>',
    'migrations to finalize: name, +name, name+, @name, glob; commas for union',
    collect,
  )
  .option('--exclude <selector>', 'migrations to leave out (same syntax)', collect)
  .action(async (options: FinalizeCommandOptions, command: Command) => {
    const { finalizeCommand } = await import('./commands/finalize.js');
    await run(command, undefined, (context) => finalizeCommand(context, options));
  });

const state = program
  .command('state')
  .description("manage ferry's own state (the _ferry schema) in the target");

state
  .command('drop')
  .description('remove the _ferry schema; without --confirm only show what it would drop')
  .option('--confirm', 'drop it (under the run lock; never while an apply runs)')
  .action(async (options: StateDropCommandOptions, command: Command) => {
    const { stateDropCommand } = await import('./commands/state-drop.js');
    await run(command, undefined, (context) => stateDropCommand(context, options));
  });

program
  .command('doctor')
  .description(
    'check both connections, server versions, TLS, the privileges and settings ferry needs; say what to grant',
  )
  .option(
    '-s, --select <selector>',
    'migrations whose tables to check: name, +name, name+, @name, glob; commas for union',
    collect,
  )
  .option('--exclude <selector>', 'migrations to leave out (same syntax)', collect)
  .option(
    '--workers <n>',
    'the --workers apply will run with, to check connections against (default: the plan’s parallelism)',
    positiveInteger,
  )
  .action(async (options: DoctorCommandOptions, command: Command) => {
    const { doctorCommand } = await import('./commands/doctor.js');
    await run(command, undefined, (context) => doctorCommand(context, options));
  });

program
  .command('demo')
  .description('walk through ferry on the reference workload, on an embedded PostgreSQL')
  .option('--keep', 'leave the server running at the end, and print its URLs and how to stop it')
  .option('--port <n>', 'the port of the embedded server (default: a free one)', portNumber)
  .option('--stop <dir>', 'stop the server a `ferry demo --keep` left in this directory, and remove it')
  .action(async (options: DemoCommandOptions, command: Command) => {
    const { demoCommand } = await import('./commands/demo.js');
    await run(command, undefined, (context) => demoCommand(context, options));
  });

program.parseAsync().catch((error: unknown) => {
  if (error instanceof InvalidArgumentError) process.exit(ExitCode.error);
  throw error;
});
