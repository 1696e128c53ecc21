// `ferry demo`: the main job on a machine with nothing installed. An embedded PostgreSQL gets the
// reference workload (legacy dispatch_* tables) as a source and the new schema `app` as a target;
// then ferry's own commands run on them, validate to status, each step explained in one line.
// `--keep` leaves the server running to explore; Ctrl-C stops it and removes its files (exit 130).

import { realpathSync } from 'node:fs';
import { demoContext, indentLines } from '../../demo/demo-context.js';
import { guardInterrupts } from '../../demo/interrupt.js';
import { keptLines, type Line, nextLines } from '../../demo/next-steps.js';
import { DemoSession, stopKeptDemo } from '../../demo/session.js';
import { DEMO_BATCH_SIZE, describeSource, loadWorkload, writeProject } from '../../demo/workload.js';
import { groupDigits } from '../../report/plan-report.js';
import type { CliContext } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { applyCommand } from './apply.js';
import { diffCommand } from './diff.js';
import { graphCommand } from './graph.js';
import { planCommand } from './plan.js';
import { statusCommand } from './status.js';
import { validateCommand } from './validate.js';
import { verifyCommand } from './verify.js';

export interface DemoCommandOptions {
  /** Leave the server running at the end, and print how to reach and stop it. */
  readonly keep?: boolean;
  /** The server's port; default: a free one. */
  readonly port?: number;
  /** Stop the server a `--keep` run left in this directory, and remove the directory. */
  readonly stop?: string;
}

const LABEL_WIDTH = 11;
const INDENT = ' '.repeat(LABEL_WIDTH + 1);

interface Step {
  readonly label: string;
  readonly explanation: string;
  /** The ferry command the step runs, and the exit code that means it went as it should. */
  readonly run: (context: CliContext) => Promise<ExitCodeValue>;
  readonly expected: ExitCodeValue;
}

/** The commands a newcomer would run, in order, with what each one does in a line. */
const STEPS: readonly Step[] = [
  {
    label: '2. validate',
    explanation: '`ferry validate`: every spec checked without a database: format, names, references, SQL',
    run: (context) => validateCommand(context, {}),
    expected: ExitCode.ok,
  },
  {
    label: '3. graph',
    explanation: '`ferry graph`: parents load before the tables that reference them; a layer runs at once',
    run: (context) => graphCommand(context, { format: 'text' }),
    expected: ExitCode.ok,
  },
  {
    label: '4. plan',
    explanation: '`ferry plan`: agents fill in the columns the specs leave open; ferry.lock pins them all',
    run: (context) => planCommand(context, { format: 'text' }),
    expected: ExitCode.ok,
  },
  {
    label: '5. apply',
    explanation: `\`ferry apply\`: rows move in batches of ${groupDigits(DEMO_BATCH_SIZE)}, each committed with its checkpoint in _ferry`,
    run: (context) => applyCommand(context, {}),
    expected: ExitCode.ok,
  },
  {
    label: '6. verify',
    explanation: '`ferry verify`: both servers fingerprint every mapped column; counts and values must agree',
    run: (context) => verifyCommand(context, {}),
    expected: ExitCode.ok,
  },
  {
    label: '7. diff',
    explanation: '`ferry diff`: what is planned against what the target holds; exit 0: nothing left to do',
    run: (context) => diffCommand(context, { format: 'text' }),
    expected: ExitCode.ok,
  },
  {
    label: '8. status',
    explanation: '`ferry status`: what _ferry recorded of each migration: phase, batches, rows, rate',
    run: (context) => statusCommand(context),
    expected: ExitCode.ok,
  },
];

export async function demoCommand(context: CliContext, options: DemoCommandOptions): Promise<ExitCodeValue> {
  if (options.stop !== undefined) return stopCommand(context, options.stop);
  const { style } = context;
  const started = Date.now();
  const session = await DemoSession.create();
  const workingDir = process.cwd();
  const cleanup = async () => {
    process.chdir(workingDir);
    await session.remove();
  };
  const guard = guardInterrupts({
    cleanup: async () => {
      await cleanup();
      context.err(style.yellow(`the server is stopped and ${session.rootDir} removed`));
    },
    notice: (signal) =>
      context.err(
        style.yellow(`\n${signal === 'SIGINT' ? 'interrupted' : signal}: stopping the embedded PostgreSQL…`),
      ),
  });
  // A closed pipe (`ferry demo | head`) or an uncaught error ends the process without `finally`.
  const removeAtExit = () => session.removeNow();
  process.on('exit', removeAtExit);
  let kept = false;
  try {
    context.out(style.bold('ferry demo: a legacy dispatch_* schema moved into a new schema `app`'));
    await setUp(context, session, options.port, started);
    // The commands print paths relative to the working directory: ferry.lock, not ../../tmp/…/ferry.lock.
    process.chdir(session.projectDir);
    const project = demoContext(
      context,
      {
        dir: session.projectDir,
        env: { FERRY_SOURCE_URL: session.urls.source, FERRY_TARGET_URL: session.urls.target },
      },
      { indent: INDENT, muted: () => guard.interrupted },
    );
    const failed = await runSteps(context, project);
    if (failed !== undefined) return failed;
    context.out('');
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    context.out(style.green(`✓ the demo finished in ${seconds} s: every step went as it should`));
    context.out('');
    const next = { ferry: ferryInvocation(), viaNpm: process.env.npm_lifecycle_event === 'demo', style };
    if (!options.keep) {
      printLines(context, nextLines(next));
      return ExitCode.ok;
    }
    process.chdir(workingDir);
    const pid = await session.keep();
    kept = true;
    const server = { pid, rootDir: session.rootDir, projectDir: session.projectDir, ...session.urls };
    printLines(context, keptLines(next, server));
    return ExitCode.ok;
  } catch (error) {
    // After a signal, failures are the server going away under a step: the exit is already under way.
    if (guard.interrupted) await new Promise(() => {});
    throw error;
  } finally {
    if (!guard.interrupted) {
      if (!kept) await cleanup();
      guard.dispose();
      process.off('exit', removeAtExit);
    }
  }
}

/** Step 1: the server, both databases, the workload and the project. */
async function setUp(
  context: CliContext,
  session: DemoSession,
  port: number | undefined,
  started: number,
): Promise<void> {
  const { style } = context;
  context.out('');
  heading(
    context,
    '1. setup',
    'one embedded PostgreSQL: the legacy tables in legacy_source, the empty schema app in app_target',
  );
  await session.server.start(port);
  await loadWorkload((database) => session.server.url(database));
  await writeProject(session.projectDir);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const tables = await describeSource(session.urls.source);
  context.out(
    `${INDENT}${style.green('✓')} PostgreSQL on 127.0.0.1:${session.server.port}, loaded in ${seconds} s: ${tables}`,
  );
  context.out(`${INDENT}  the project (specs/, then ferry.lock) is in ${session.projectDir}`);
}

/** Steps 2 to 8; the exit code of the first that did not go as it should, if one did not. */
async function runSteps(context: CliContext, project: CliContext): Promise<ExitCodeValue | undefined> {
  for (const step of STEPS) {
    context.out('');
    heading(context, step.label, step.explanation);
    const code = await step.run(project);
    if (code === step.expected) continue;
    const command = step.label.replace(/^\d+\. /, '');
    context.out('');
    context.out(context.style.red(`the demo stopped: \`ferry ${command}\` exited with ${code}`));
    return code;
  }
  return undefined;
}

function heading(context: CliContext, label: string, text: string): void {
  context.out(`${context.style.cyan(label.padEnd(LABEL_WIDTH))} ${text}`);
}

async function stopCommand(context: CliContext, dir: string): Promise<ExitCodeValue> {
  const { pid } = await stopKeptDemo(dir);
  const stopped = pid === undefined ? 'the server was not running' : `stopped the server (process ${pid})`;
  context.out(`${context.style.green('✓')} ${stopped} and removed ${dir}`);
  return ExitCode.ok;
}

function printLines(context: CliContext, lines: readonly Line[]): void {
  for (const [label, text] of lines) {
    context.out(
      label === '' ? indentLines(text, INDENT) : `${context.style.cyan(label.padEnd(LABEL_WIDTH))} ${text}`,
    );
  }
}

/** How to run this very ferry again from any directory. */
function ferryInvocation(): string {
  const script = process.argv[1];
  return script === undefined ? 'ferry' : `node ${realpathSync(script)}`;
}
