// The demo runs ferry's own commands on its project; this is the context they get: the demo's
// project directory and connection variables, and output indented under the demo's step headings.

import { join } from 'node:path';
import type { CliContext, TerminalStream } from '../cli/context.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what the view writes
const CONTROL_SEQUENCE = /\u001b\[[0-9;]*[A-Za-z]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the view's move back to its first line
const CURSOR_BACK = /^\r(?:\u001b\[\d+A)?/;

export function demoContext(
  parent: CliContext,
  project: { readonly dir: string; readonly env: Readonly<Record<string, string>> },
  options: {
    readonly indent: string;
    /** True once the demo is being stopped: what the commands then say is about the server going away. */
    readonly muted: () => boolean;
  },
): CliContext {
  const { indent, muted } = options;
  const stdout = indentedStream(parent.stdout, indent);
  return {
    ...parent,
    projectDir: project.dir,
    specsDir: join(project.dir, 'specs'),
    json: false,
    // The demo is for a person at a terminal; a CI job's summary is not its place.
    github: false,
    env: { ...parent.env, ...project.env },
    out: (text) => muted() || parent.out(indentLines(text, indent)),
    err: (text) => muted() || parent.err(indentLines(text, indent)),
    stdout: { ...stdout, write: (text: string) => muted() || stdout.write(text) },
  };
}

export function indentLines(text: string, indent: string): string {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => (line === '' ? '' : `${indent}${line}`))
    .join('\n');
}

/**
 * A terminal narrower by the indent, for the live progress view. The view writes whole frames: each
 * starts at a line's beginning (after moving the cursor back up to it) and ends with a newline, so
 * every line with something visible on it starts right after a newline or after that cursor move.
 */
export function indentedStream(stream: TerminalStream, indent: string): TerminalStream {
  return {
    ...(stream.isTTY === undefined ? {} : { isTTY: stream.isTTY }),
    ...(stream.columns === undefined ? {} : { columns: Math.max(stream.columns - indent.length, 20) }),
    write: (text: string) =>
      stream.write(
        text
          .split('\n')
          .map((line) => {
            const cursorMove = CURSOR_BACK.exec(line)?.[0] ?? '';
            const rest = line.slice(cursorMove.length);
            return rest.replace(CONTROL_SEQUENCE, '') === '' ? line : `${cursorMove}${indent}${rest}`;
          })
          .join('\n'),
      ),
  };
}
