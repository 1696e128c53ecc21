// What every command needs from the command line and the process: where the project is, how to write
// output (colour, JSON, GitHub annotations), and the environment. Commands get it instead of globals.

import { join, resolve } from 'node:path';
import { colorEnabled, createStyle, type Style } from '../report/style.js';

export interface GlobalOptions {
  readonly dir?: string;
  readonly json?: boolean;
  readonly debug?: boolean;
  readonly color?: boolean;
}

/** Standard output as the live progress view needs it: whether it is a terminal, and how wide. */
export interface TerminalStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface CliContext {
  /** The project root: where specs/ and ferry.lock are. */
  readonly projectDir: string;
  readonly specsDir: string;
  readonly json: boolean;
  readonly debug: boolean;
  /** True under GitHub Actions: diagnostics are also printed as workflow annotations. */
  readonly github: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly out: (text: string) => void;
  /** For views that redraw in place; everything else writes through `out`. */
  readonly stdout: TerminalStream;
  readonly err: (text: string) => void;
  readonly style: Style;
  readonly errStyle: Style;
}

export function createContext(options: GlobalOptions, specsDirArgument?: string): CliContext {
  const projectDir = resolve(options.dir ?? '.');
  const allowColor = options.color !== false;
  return {
    projectDir,
    specsDir: specsDirArgument ? resolve(specsDirArgument) : join(projectDir, 'specs'),
    json: options.json === true,
    debug: options.debug === true,
    github: process.env.GITHUB_ACTIONS === 'true',
    env: process.env,
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    stdout: process.stdout,
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    style: createStyle(allowColor && colorEnabled(process.stdout)),
    errStyle: createStyle(allowColor && colorEnabled(process.stderr)),
  };
}
