// The apply benchmark's record: the machine and tools it ran with, every sample, the summaries and the
// goals, written to bench/results/ (ignored by git) as JSON, and the table as Markdown for the docs.

import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import type { ContenderKey } from './contenders.js';
import { type Figure, type GoalResult, markdownTable, mebibytes, type Summary } from './report.js';
import { type Migration, REPO } from './workload.js';

export interface Machine {
  readonly cpu: string;
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly os: string;
  readonly node: string;
  /** The 1-minute load average when the benchmark started: timings are only comparable under like load. */
  readonly loadAverage: number;
}

/** Versions of the tools on PATH; null for one that is not installed. */
export interface Tools {
  readonly psql: string | null;
  /** The mariadb client: the MySQL floors read the source with it. */
  readonly mariadb: string | null;
  readonly pgloader: string | null;
  readonly gnuTime: boolean;
}

export interface BenchResult {
  readonly startedAt: Date;
  readonly scale: number;
  readonly runs: number;
  readonly machine: Machine;
  readonly server: { readonly description: string; readonly version: string };
  /** Where the rows come from: the PostgreSQL source on the server above, or a MySQL one. */
  readonly source: {
    readonly kind: 'postgres' | 'mysql';
    readonly description: string;
    readonly version: string;
  };
  readonly tools: Tools;
  readonly sourceRows: Readonly<Record<Migration, number>>;
  readonly killPoint: string;
  readonly figures: readonly Figure[];
  readonly summaries: ReadonlyMap<ContenderKey, Summary>;
  readonly goals: readonly GoalResult[];
  /** The table as printed, cell by cell. */
  readonly rows: readonly (readonly string[])[];
}

export function describeMachine(): Machine {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: availableParallelism(),
    memoryBytes: totalmem(),
    os: `${type()} ${release()}`,
    node: process.version,
    loadAverage: loadavg()[0] ?? 0,
  };
}

/**
 * A file name that sorts by time and says the source and scale: apply-scale-1-2025-01-31T12-00-00Z,
 * apply-mysql-scale-1-… for the MySQL edition.
 */
function resultName(source: 'postgres' | 'mysql', scale: number, startedAt: Date): string {
  const stamp = startedAt
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-');
  return `apply-${source === 'mysql' ? 'mysql-' : ''}scale-${scale}-${stamp}`;
}

/** The lines above the table: when, where and how it was measured. */
export function resultPreamble(result: BenchResult): string[] {
  const { machine, tools } = result;
  return [
    `Scale ${result.scale}, ${result.runs} run(s) each, alternating; started ${result.startedAt.toISOString()}.`,
    `Machine: ${machine.cpus} CPUs (${machine.cpu}), ${mebibytes(machine.memoryBytes)} RAM, ${machine.os}, ` +
      `node ${machine.node}, load average ${machine.loadAverage.toFixed(2)} at the start.`,
    `Server: ${result.server.description}; ${result.server.version}.`,
    ...(result.source.kind === 'mysql'
      ? [
          `Source: ${result.source.description}; ${result.source.version}.`,
          `psql: ${tools.psql ?? 'not installed'}; mariadb: ${tools.mariadb ?? 'not installed'}; ` +
            `pgloader: ${tools.pgloader ?? 'not installed'}.`,
        ]
      : [
          `psql: ${tools.psql ?? 'not installed'}; pgloader: ${tools.pgloader ?? 'not installed'}.`,
          `Kill + resume: ${result.killPoint}.`,
        ]),
  ];
}

/**
 * Writes the result as `bench/results/<name>.json` and `<name>.md`; returns the path of both without
 * the extension, relative to the repository.
 */
export async function writeResult(result: BenchResult): Promise<string> {
  const name = `bench/results/${resultName(result.source.kind, result.scale, result.startedAt)}`;
  await mkdir(join(REPO, 'bench/results'), { recursive: true });
  const totalRows = Object.values(result.sourceRows).reduce((sum, n) => sum + n, 0);
  const json = {
    benchmark: 'apply',
    startedAt: result.startedAt.toISOString(),
    scale: result.scale,
    runs: result.runs,
    machine: result.machine,
    server: result.server,
    source: result.source,
    tools: result.tools,
    sourceRows: result.sourceRows,
    totalRows,
    killPoint: result.killPoint,
    figures: result.figures.map((figure) => ({ ...figure, ...result.summaries.get(figure.key) })),
    goals: result.goals,
  };
  await writeFile(join(REPO, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
  const markdown = [...resultPreamble(result), '', markdownTable(result.rows), ''].join('\n');
  await writeFile(join(REPO, `${name}.md`), markdown);
  return name;
}
