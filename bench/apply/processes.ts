// One measured command as a whole process: wall time from spawn to exit, and its peak RSS read by
// GNU time (`/usr/bin/time -f %M`) when the machine has it. Node can only report its own usage.

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

const GNU_TIME = '/usr/bin/time';

/** What the benchmark can learn of a process's memory on this machine. */
export const canMeasureRss = existsSync(GNU_TIME);

export interface ProcessRun {
  readonly seconds: number;
  readonly exitCode: number;
  /** The process ended by SIGKILL (a failpoint). */
  readonly killed: boolean;
  /** Peak resident set size in bytes; undefined when it cannot be measured. */
  readonly peakRssBytes: number | undefined;
  readonly stdout: string;
  /** stdout and stderr interleaved, for the message of a failed run. */
  readonly output: string;
}

export interface ProcessOptions {
  readonly cwd: string;
  /** The whole environment of the process: nothing is inherited, so no stray PG* variable interferes. */
  readonly env: Readonly<Record<string, string>>;
  /** Read the process's peak RSS (through GNU time, when present). */
  readonly measureRss?: boolean;
}

/**
 * Runs `file` with `args` to its end and times it.
 *
 * @example
 * const run = await timeProcess('node', ['dist/cli/main.js', 'apply'], { cwd, env, measureRss: true });
 */
export async function timeProcess(
  file: string,
  args: readonly string[],
  options: ProcessOptions,
): Promise<ProcessRun> {
  const wrap = options.measureRss === true && canMeasureRss;
  const dir = wrap ? await mkdtemp(join(tmpdir(), 'ferry-bench-time-')) : undefined;
  const rssFile = dir === undefined ? undefined : join(dir, 'rss');
  const [command, argv] =
    rssFile === undefined ? [file, args] : [GNU_TIME, ['-f', '%M', '-o', rssFile, file, ...args]];
  try {
    const start = performance.now();
    const result = await execa(command, argv, {
      cwd: options.cwd,
      env: options.env,
      extendEnv: false,
      reject: false,
      all: true,
      stdin: 'ignore',
    });
    const seconds = (performance.now() - start) / 1000;
    const report = rssFile === undefined ? '' : await readFile(rssFile, 'utf8').catch(() => '');
    return {
      seconds,
      exitCode: result.exitCode ?? -1,
      // Under GNU time the child's signal shows in time's report and as exit code 128 + 9.
      killed:
        result.signal === 'SIGKILL' || report.includes('terminated by signal 9') || result.exitCode === 137,
      peakRssBytes: peakRss(report),
      stdout: result.stdout ?? '',
      output: result.all ?? '',
    };
  } finally {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  }
}

/** GNU time's %M (kilobytes) from the last line of its report; it may be preceded by a status line. */
function peakRss(report: string): number | undefined {
  const last = report.trim().split('\n').at(-1) ?? '';
  return /^\d+$/.test(last) ? Number(last) * 1024 : undefined;
}

/** Whether a program is on PATH, by asking the shell as `which` would. */
export async function onPath(program: string): Promise<boolean> {
  const result = await execa('sh', ['-c', `command -v ${program}`], { reject: false });
  return result.exitCode === 0;
}

/** The first line a program prints for `args` (its version), or undefined. */
export async function firstLine(program: string, args: readonly string[]): Promise<string | undefined> {
  const result = await execa(program, args, { reject: false, all: true });
  return result.exitCode === 0 ? result.all?.split('\n')[0]?.trim() : undefined;
}
