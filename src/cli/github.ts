// Under GitHub Actions, commands hand their results to the workflow: Markdown appended to the job
// summary ($GITHUB_STEP_SUMMARY) and step outputs ($GITHUB_OUTPUT) that later steps read.

import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import type { CliContext } from './context.js';

type GithubContext = Pick<CliContext, 'github' | 'env' | 'err'>;

/**
 * One output in the multi-line form the runner reads: `name<<DELIMITER`, the value, `DELIMITER`. The
 * delimiter is random, and checked against the value, so no value can end it early and set outputs
 * of its own.
 *
 * @example
 * formatOutput('changed', 'orders\ntags', 'ghadelimiter_1') // 'changed<<ghadelimiter_1\norders\ntags\nghadelimiter_1\n'
 */
export function formatOutput(
  name: string,
  value: string,
  delimiter = `ghadelimiter_${randomUUID()}`,
): string {
  if (name.includes(delimiter) || value.includes(delimiter))
    throw new Error(`the output ${name} contains its delimiter`);
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

/** Appends outputs to $GITHUB_OUTPUT; outside Actions, or without the variable, does nothing. */
export function writeOutputs(
  context: GithubContext,
  outputs: Readonly<Record<string, string | number | boolean>>,
): void {
  const text = Object.entries(outputs)
    .map(([name, value]) => formatOutput(name, String(value)))
    .join('');
  appendTo(context, 'GITHUB_OUTPUT', text);
}

/** Appends Markdown to the job summary ($GITHUB_STEP_SUMMARY). */
export function appendStepSummary(context: GithubContext, markdown: string): void {
  appendTo(context, 'GITHUB_STEP_SUMMARY', markdown.endsWith('\n') ? `${markdown}\n` : `${markdown}\n\n`);
}

function appendTo(
  context: GithubContext,
  variable: 'GITHUB_OUTPUT' | 'GITHUB_STEP_SUMMARY',
  text: string,
): void {
  const path = context.env[variable];
  if (!context.github || !path) return;
  try {
    appendFileSync(path, text);
  } catch (error) {
    // The command's own result stands; the workflow loses only this extra.
    context.err(`warning: cannot write ${variable} (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
}
