// Benchmark (not a test): ferry apply on the reference workload against the reference COPY floors and
// pgloader, alternating, each run from an empty target and checked against the source afterwards.
// Usage: npm run bench -- [--scale S] [--runs N] [--source-url URL --target-url URL]
//        npm run bench -- --source mysql [--mysql-url URL] [--target-url URL] [--scale S] [--runs N]

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FerryError } from '../src/errors.js';
import {
  type BenchSetup,
  type ContenderKey,
  contenders,
  type FerryProject,
  planProject,
  RESUME_MIGRATION,
  type ResumePoint,
  resumeFailpoint,
  type Sample,
} from './apply/contenders.js';
import { type BenchDatabases, openDatabases, serverVersion } from './apply/databases.js';
import { mysqlEdition, postgresEdition, type SourceEdition } from './apply/editions.js';
import { BenchmarkFailure } from './apply/failure.js';
import { mysqlServerVersion } from './apply/mysql-source.js';
import { canMeasureRss, firstLine, onPath } from './apply/processes.js';
import {
  type Figure,
  goalResults,
  mebibytes,
  type Summary,
  seconds,
  summarize,
  tableRows,
  textTable,
} from './apply/report.js';
import {
  type BenchResult,
  describeMachine,
  resultPreamble,
  type Tools,
  writeResult,
} from './apply/results.js';
import { REMAP_CHECKS, WORKLOAD_FILES } from './apply/workload.js';

const USAGE = [
  'usage: npm run bench -- [--scale S] [--runs N] [--source-url URL --target-url URL]',
  '       npm run bench -- --source mysql [--mysql-url URL] [--target-url URL] [--scale S] [--runs N]',
].join('\n');
const PGLOADER_MISSING = 'not installed (apt-get install pgloader)';
const PSQL_MISSING = 'psql not installed (the floors are psql pipelines)';
const MARIADB_MISSING = 'the mariadb client or psql not installed (the MySQL floors pipe one into the other)';
const DEFAULT_MYSQL_URL = 'mysql://root@127.0.0.1:3306';

interface Options {
  readonly source: 'postgres' | 'mysql';
  readonly scale: number;
  readonly runs: number;
  readonly sourceUrl?: string | undefined;
  readonly targetUrl?: string | undefined;
  readonly mysqlUrl: string;
}

function usageError(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function parseOptions(): Options {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        scale: { type: 'string' },
        runs: { type: 'string' },
        'source-url': { type: 'string' },
        'target-url': { type: 'string' },
        source: { type: 'string' },
        'mysql-url': { type: 'string' },
      },
    }));
  } catch (error) {
    usageError((error as Error).message);
  }
  const scale = Number(values.scale ?? '1');
  if (!Number.isFinite(scale) || scale <= 0)
    usageError(`--scale must be a positive number, not ${values.scale}`);
  const runs = Number(values.runs ?? '3');
  if (!Number.isInteger(runs) || runs < 1)
    usageError(`--runs must be a positive integer, not ${values.runs}`);
  const source = values.source ?? 'postgres';
  if (source !== 'postgres' && source !== 'mysql')
    usageError(`--source is postgres or mysql, not ${values.source}`);
  const sourceUrl = values['source-url'];
  const targetUrl = values['target-url'];
  const mysqlUrl = values['mysql-url'];
  if (source === 'mysql') {
    if (sourceUrl !== undefined) usageError('with --source mysql the source is --mysql-url');
    return { source, scale, runs, targetUrl, mysqlUrl: mysqlUrl ?? DEFAULT_MYSQL_URL };
  }
  if (mysqlUrl !== undefined) usageError('--mysql-url goes with --source mysql');
  if ((sourceUrl === undefined) !== (targetUrl === undefined)) {
    usageError('--source-url and --target-url go together');
  }
  return { source, scale, runs, sourceUrl, targetUrl, mysqlUrl: DEFAULT_MYSQL_URL };
}

async function findTools(): Promise<Tools> {
  const version = async (program: string, args: readonly string[]) =>
    (await onPath(program)) ? ((await firstLine(program, args)) ?? 'unknown version') : undefined;
  return {
    psql: (await version('psql', ['--version'])) ?? null,
    mariadb: (await version('mariadb', ['--version'])) ?? null,
    pgloader: (await version('pgloader', ['--version'])) ?? null,
    gnuTime: canMeasureRss,
  };
}

async function prepare(
  databases: BenchDatabases,
  edition: SourceEdition,
  workDir: string,
  options: Options,
  tools: Tools,
): Promise<BenchSetup> {
  let start = performance.now();
  const sourceRows = await edition.build(options.scale);
  const total = Object.values(sourceRows).reduce((sum, n) => sum + n, 0);
  console.log(
    `source built at scale ${options.scale}: ${total.toLocaleString('en-US')} rows ` +
      `(${Object.entries(sourceRows)
        .map(([name, n]) => `${name} ${n.toLocaleString('en-US')}`)
        .join(', ')}) in ${seconds((performance.now() - start) / 1000)}`,
  );
  start = performance.now();
  const targetSql = await readFile(WORKLOAD_FILES.target, 'utf8');
  const remapTargetSql = await readFile(WORKLOAD_FILES.remapTarget, 'utf8');
  const reference: FerryProject = await planProject(databases, edition, join(workDir, 'reference'), {
    targetSql,
    checks: edition.checks,
    sourceChecksums: await edition.sourceChecksums(edition.checks),
  });
  const remap: FerryProject | undefined = edition.variants
    ? await planProject(
        databases,
        edition,
        join(workDir, 'id-remap'),
        {
          targetSql: remapTargetSql,
          checks: REMAP_CHECKS,
          sourceChecksums: await edition.sourceChecksums(REMAP_CHECKS),
        },
        [WORKLOAD_FILES.remapCaseFiles],
      )
    : undefined;
  console.log(
    `source checksums taken, ${remap ? 'both projects' : 'the project'} planned in ` +
      `${seconds((performance.now() - start) / 1000)}`,
  );
  return {
    databases,
    edition,
    reference,
    remap,
    sourceRows,
    psql: tools.psql !== null && (edition.kind === 'postgres' || tools.mariadb !== null),
    pgloader: tools.pgloader !== null,
  };
}

/** Runs every contender once per round, in the same order each round, and collects their samples. */
async function runRounds(setup: BenchSetup, runs: number, resume: ResumePoint): Promise<Figure[]> {
  const order = contenders(setup, resume);
  const samples = new Map<ContenderKey, Sample[]>(order.map((c) => [c.key, []]));
  for (let round = 1; round <= runs; round++) {
    for (const contender of order) {
      const sample = await contender.run();
      samples.get(contender.key)?.push(sample);
      const rss =
        contender.ferry || contender.key === 'pgloader' ? `, peak RSS ${mebibytes(sample.peakRssBytes)}` : '';
      console.log(`round ${round}/${runs}  ${contender.label}: ${seconds(sample.seconds)}${rss}, checked`);
    }
  }
  const figures: Figure[] = order.map((c) => ({
    key: c.key,
    label: c.label,
    ferry: c.ferry,
    samples: samples.get(c.key) ?? [],
  }));
  if (!setup.psql) {
    const skipped = setup.edition.kind === 'mysql' ? MARIADB_MISSING : PSQL_MISSING;
    figures.push(
      { key: 'layered', label: 'layered COPY floor', ferry: false, samples: [], skipped },
      { key: 'deferred', label: 'deferred COPY floor', ferry: false, samples: [], skipped },
    );
  }
  if (!setup.pgloader) {
    figures.push({
      key: 'pgloader',
      label: 'pgloader',
      ferry: false,
      samples: [],
      skipped: PGLOADER_MISSING,
    });
  }
  return figures;
}

/** Where the resume run was killed; at small scales orders is one batch, and the kill comes after it. */
function describeKillPoint(resume: ResumePoint): string {
  const failpoint = `FERRY_FAILPOINT=${resumeFailpoint(resume)}`;
  if (resume.batches === undefined) return failpoint;
  const of = `of ${resume.batches} ${RESUME_MIGRATION} batch${resume.batches === 1 ? '' : 'es'}`;
  return resume.batches < 2
    ? `${failpoint} (${of}: at this scale the kill comes after it, not half-way)`
    : `${failpoint} (${of})`;
}

async function main(): Promise<void> {
  const options = parseOptions();
  const startedAt = new Date();
  const machine = describeMachine();
  const tools = await findTools();
  console.log(
    `node ${machine.node}, ${machine.cpus} CPUs (${machine.cpu}), ${mebibytes(machine.memoryBytes)} RAM, ` +
      `load average ${machine.loadAverage.toFixed(2)}`,
  );
  console.log(`psql: ${tools.psql ?? 'not installed: the floor rows are skipped'}`);
  if (options.source === 'mysql') console.log(`mariadb: ${tools.mariadb ?? MARIADB_MISSING}`);
  console.log(`pgloader: ${tools.pgloader ?? PGLOADER_MISSING}`);
  if (!tools.gnuTime) console.log('/usr/bin/time: not found, peak RSS is reported as unknown');

  const databases = await openDatabases(options);
  const edition =
    options.source === 'mysql' ? mysqlEdition(options.mysqlUrl) : postgresEdition(databases.source);
  const interrupted = () => void databases.stop().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  const workDir = await mkdtemp(join(tmpdir(), 'ferry-bench-'));
  try {
    const version = await serverVersion(databases.target);
    console.log(`server: ${databases.server}\n        ${version}`);
    const sourceVersion = edition.kind === 'mysql' ? await mysqlServerVersion(options.mysqlUrl) : version;
    if (edition.kind === 'mysql') console.log(`source: ${edition.description}\n        ${sourceVersion}`);
    const setup = await prepare(databases, edition, workDir, options, tools);

    const resume: ResumePoint = { batches: undefined };
    const figures = await runRounds(setup, options.runs, resume);
    const totalRows = Object.values(setup.sourceRows).reduce((sum, n) => sum + n, 0);
    const summaries = new Map<ContenderKey, Summary>();
    for (const figure of figures) {
      const summary = summarize(figure, totalRows);
      if (summary) summaries.set(figure.key, summary);
    }
    const goals = goalResults(summaries, figures, options.scale, edition.kind);
    const result: BenchResult = {
      startedAt,
      scale: options.scale,
      runs: options.runs,
      machine,
      server: { description: databases.server, version },
      source: { kind: edition.kind, description: edition.description, version: sourceVersion },
      tools,
      sourceRows: setup.sourceRows,
      killPoint: describeKillPoint(resume),
      figures,
      summaries,
      goals,
      rows: tableRows(figures, summaries, goals),
    };
    console.log(`\n${resultPreamble(result).join('\n')}\n\n${textTable(result.rows)}\n`);
    const written = await writeResult(result);
    console.log(`written: ${written}.json and .md`);
  } finally {
    process.off('SIGINT', interrupted);
    await databases.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  // The embedded server explains itself (not installed, cannot start) with a FerryError and a hint.
  if (error instanceof FerryError) {
    const [first] = error.diagnostics;
    console.error(`\nbenchmark failed: ${error.message}${first?.hint ? `\nhint: ${first.hint}` : ''}`);
    process.exitCode = 1;
  } else if (error instanceof BenchmarkFailure) {
    console.error(`\nbenchmark failed: ${error.message}`);
    if (error.details) console.error(error.details);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
