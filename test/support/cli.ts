// Runs the built ferry binary as a user would, capturing exit code and output.

import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { expect } from 'vitest';

export const FERRY_BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The signal that ended the process (SIGKILL from a failpoint), if one did. */
  readonly signal?: string;
}

export async function runFerry(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<CliResult> {
  const result = await execa('node', [FERRY_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    // A clean environment: no inherited connection variables, CI markers or colour settings.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    extendEnv: false,
    reject: false,
  });
  return {
    exitCode: result.exitCode ?? -1,
    stdout: result.stdout,
    stderr: result.stderr,
    ...(result.signal ? { signal: result.signal } : {}),
  };
}

/** `ferry apply` ended well: exit 0, nothing on stderr, and all `migrations` of the plan done. */
export function expectApplyFinished(
  result: Pick<CliResult, 'stdout' | 'stderr'> & { readonly exitCode?: number | undefined },
  migrations: number,
  message?: string,
): void {
  expect(result.stderr, message).toBe('');
  expect(result.exitCode, message).toBe(0);
  expect(result.stdout, message).toContain(`✓ ${migrations} of ${migrations} migrations done`);
}
