#!/usr/bin/env node
// ferry's command line: parses flags with commander and hands each command to the library. Command
// modules are imported only when their command runs, so `ferry --version` starts fast.

import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { GraphFormat } from '../report/graph.js';
import { type CliContext, createContext, type GlobalOptions } from './context.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

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
  .action(
    async (options: { format: GraphFormat; select?: string[]; exclude?: string[] }, command: Command) => {
      const { graphCommand } = await import('./commands/graph.js');
      await run(command, undefined, (context) => graphCommand(context, options));
    },
  );

program
  .command('demo')
  .description('walk through ferry on the reference workload')
  .action(async (_options: unknown, command: Command) => {
    const { demoCommand } = await import('./commands/demo.js');
    await run(command, undefined, demoCommand);
  });

program.parseAsync().catch((error: unknown) => {
  if (error instanceof InvalidArgumentError) process.exit(ExitCode.error);
  throw error;
});
