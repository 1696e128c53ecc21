// What the apply benchmark times, each as one whole process from an empty target: ferry apply (safe,
// --bulk, with generated keys, killed half-way and resumed), the reference COPY floors, and pgloader.
// Every run is checked afterwards, so a fast wrong run fails the benchmark instead of winning it.

import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Checks } from '../../test/support/checksums.js';
import { type BenchDatabases, resetTarget, waitForFerrySessionsGone } from './databases.js';
import type { SourceEdition } from './editions.js';
import { BenchmarkFailure } from './failure.js';
import { type ProcessRun, timeProcess } from './processes.js';
import {
  type Checksum,
  countMismatches,
  disagreements,
  type Migration,
  REPO,
  TARGET_TABLES,
  WORKLOAD_FILES,
} from './workload.js';

export type ContenderKey = 'safe' | 'bulk' | 'layered' | 'deferred' | 'pgloader' | 'remap' | 'resume';

export interface Sample {
  readonly seconds: number;
  readonly peakRssBytes: number | undefined;
}

export interface Contender {
  readonly key: ContenderKey;
  readonly label: string;
  /** ferry's own runs: their memory is reported against its goal. */
  readonly ferry: boolean;
  /** Empties the target, runs the command, checks the result. */
  run(): Promise<Sample>;
}

/** A ferry project: a copy of the specs in a directory of its own, planned against its target schema. */
export interface FerryProject {
  readonly dir: string;
  readonly targetSql: string;
  readonly checks: Checks;
  readonly sourceChecksums: ReadonlyMap<string, Checksum>;
}

export interface BenchSetup {
  readonly databases: BenchDatabases;
  /** Where the rows come from: what ferry, the floors and pgloader read. */
  readonly edition: SourceEdition;
  readonly reference: FerryProject;
  /** The ID-remap project, in the editions that run that variant. */
  readonly remap: FerryProject | undefined;
  readonly sourceRows: Readonly<Record<Migration, number>>;
  /** Present when psql is on PATH: the floors are psql pipelines. */
  readonly psql: boolean;
  readonly pgloader: boolean;
}

const FERRY_CLI = join(REPO, 'dist/cli/main.js');
const FLOORS = join(REPO, 'bench/floors');

/** The migration the resume run is killed in, and the failpoint that kills it (see src/runner/failpoints.ts). */
export const RESUME_MIGRATION = 'orders';

/** How far the resume run got before it was killed, once known. */
export interface ResumePoint {
  /** Batches of RESUME_MIGRATION in an uninterrupted run. */
  batches: number | undefined;
}

function ferryEnv(
  databases: BenchDatabases,
  edition: SourceEdition,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    NO_COLOR: '1',
    FERRY_SOURCE_URL: edition.url,
    FERRY_TARGET_URL: databases.target.url,
    ...extra,
  };
}

function ferry(
  setup: BenchSetup,
  project: FerryProject,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<ProcessRun> {
  return timeProcess(process.execPath, [FERRY_CLI, ...args], {
    cwd: project.dir,
    env: ferryEnv(setup.databases, setup.edition, env),
    measureRss: true,
  });
}

/** The last lines of a process's output, enough to see why it failed. */
function tail(output: string, lines = 30): string {
  return output.trimEnd().split('\n').slice(-lines).join('\n');
}

function expectExit(label: string, run: ProcessRun): void {
  if (run.exitCode === 0) return;
  const how = run.killed ? 'was killed' : `exited with ${run.exitCode}`;
  throw new BenchmarkFailure(`${label} ${how}`, tail(run.output));
}

async function expectAgreement(setup: BenchSetup, label: string, project: FerryProject): Promise<void> {
  const problems = await disagreements(
    setup.databases.target,
    project.checks,
    project.sourceChecksums,
    setup.edition.targetRowText,
  );
  if (problems.length > 0) {
    throw new BenchmarkFailure(`${label}: the target does not match the source`, problems.join('\n'));
  }
}

async function expectCounts(
  setup: BenchSetup,
  label: string,
  tables: Readonly<Record<Migration, string>>,
): Promise<void> {
  const problems = await countMismatches(setup.databases.target, tables, setup.sourceRows).catch(
    (error: Error) => [error.message],
  );
  if (problems.length > 0) {
    throw new BenchmarkFailure(`${label}: the target does not hold the source's rows`, problems.join('\n'));
  }
}

/**
 * Copies the specs into `dir`, a directory of their own (`overlay` files replacing their namesakes, every
 * file as the edition has it), and runs `ferry plan` there against an empty target of `targetSql`, so
 * that apply finds a fresh ferry.lock.
 */
export async function planProject(
  databases: BenchDatabases,
  edition: SourceEdition,
  dir: string,
  project: Omit<FerryProject, 'dir'>,
  overlay: readonly string[] = [],
): Promise<FerryProject> {
  const specs = join(dir, 'specs');
  await cp(WORKLOAD_FILES.specs, specs, { recursive: true });
  for (const file of overlay) await cp(file, join(specs, basename(file)));
  for (const file of await readdir(specs)) {
    const path = join(specs, file);
    await writeFile(path, edition.specText(await readFile(path, 'utf8')));
  }
  await resetTarget(databases.target, project.targetSql, edition.pgloaderSchema);
  const run = await timeProcess(process.execPath, [FERRY_CLI, 'plan'], {
    cwd: dir,
    env: ferryEnv(databases, edition),
  });
  expectExit('ferry plan', run);
  return { ...project, dir };
}

function sample(...runs: readonly ProcessRun[]): Sample {
  const rss = runs.map((r) => r.peakRssBytes);
  return {
    seconds: runs.reduce((sum, r) => sum + r.seconds, 0),
    peakRssBytes: rss.includes(undefined) ? undefined : Math.max(...(rss as number[])),
  };
}

/** The batches of a migration as `ferry status --json` reports them after a finished apply. */
async function batchTotal(setup: BenchSetup, project: FerryProject, migration: string): Promise<number> {
  const run = await timeProcess(process.execPath, [FERRY_CLI, 'status', '--json'], {
    cwd: project.dir,
    env: ferryEnv(setup.databases, setup.edition),
  });
  expectExit('ferry status', run);
  const status = JSON.parse(run.stdout) as {
    migrations: { migration: string; status?: { batches: { total: number } } }[];
  };
  const total = status.migrations.find((m) => m.migration === migration)?.status?.batches.total;
  if (total === undefined) throw new BenchmarkFailure(`ferry status does not list ${migration}`, run.output);
  return total;
}

/** The failpoint that kills a run after about half of RESUME_MIGRATION's batches have committed. */
export function resumeFailpoint(point: ResumePoint): string {
  const half = Math.max(1, Math.round((point.batches ?? 2) / 2));
  return `batch-committed:${RESUME_MIGRATION}@${half}`;
}

function ferryApply(
  setup: BenchSetup,
  key: 'safe' | 'bulk' | 'remap',
  label: string,
  args: readonly string[],
  resume: ResumePoint,
  project: FerryProject = setup.reference,
): Contender {
  return {
    key,
    label,
    ferry: true,
    run: async () => {
      await resetTarget(setup.databases.target, project.targetSql, setup.edition.pgloaderSchema);
      const run = await ferry(setup, project, ['apply', ...args]);
      expectExit(label, run);
      await expectAgreement(setup, label, project);
      if (key === 'safe') resume.batches ??= await batchTotal(setup, project, RESUME_MIGRATION);
      return sample(run);
    },
  };
}

/** Killed by a failpoint about half-way, then resumed: the two processes' time together. */
function killAndResume(setup: BenchSetup, resume: ResumePoint): Contender {
  const label = 'ferry apply, killed + resumed';
  const project = setup.reference;
  return {
    key: 'resume',
    label,
    ferry: true,
    run: async () => {
      await resetTarget(setup.databases.target, project.targetSql, setup.edition.pgloaderSchema);
      const failpoint = resumeFailpoint(resume);
      const killed = await ferry(setup, project, ['apply'], { FERRY_FAILPOINT: failpoint });
      if (!killed.killed) {
        throw new BenchmarkFailure(
          `${label}: FERRY_FAILPOINT=${failpoint} did not kill the run`,
          tail(killed.output),
        );
      }
      // Not timed: a harness artefact of milliseconds, the time the server takes to notice the dead
      // sessions (an operator re-running after a crash would find them gone).
      await waitForFerrySessionsGone(setup.databases.target);
      await setup.edition.waitForFerrySessionsGone();
      const resumed = await ferry(setup, project, ['apply']);
      expectExit(`${label} (the resumed run)`, resumed);
      await expectAgreement(setup, label, project);
      return sample(killed, resumed);
    },
  };
}

function floor(setup: BenchSetup, key: 'layered' | 'deferred', label: string): Contender {
  const { edition } = setup;
  const script = join(FLOORS, edition.floors[key]);
  return {
    key,
    label,
    ferry: false,
    run: async () => {
      await resetTarget(
        setup.databases.target,
        await readFile(WORKLOAD_FILES.target, 'utf8'),
        edition.pgloaderSchema,
      );
      // The script's text as the edition runs it, with its own path as $0 (it finds files beside it).
      const text = edition.floorScript(await readFile(script, 'utf8'));
      const run = await timeProcess('bash', ['-c', text, script], {
        cwd: FLOORS,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: process.env.HOME ?? tmpdir(),
          ...edition.floorEnv,
          DST: setup.databases.target.url,
        },
      });
      expectExit(label, run);
      await expectCounts(setup, label, TARGET_TABLES);
      return sample(run);
    },
  };
}

function pgloader(setup: BenchSetup): Contender {
  const label = 'pgloader';
  const { edition } = setup;
  return {
    key: 'pgloader',
    label,
    ferry: false,
    run: async () => {
      await resetTarget(
        setup.databases.target,
        await readFile(WORKLOAD_FILES.target, 'utf8'),
        edition.pgloaderSchema,
      );
      const dir = await mkdtemp(join(tmpdir(), 'ferry-bench-pgloader-'));
      let run: ProcessRun;
      try {
        const load = join(dir, 'pgloader.load');
        const template = await readFile(join(FLOORS, edition.pgloaderLoad), 'utf8');
        await writeFile(load, edition.pgloaderFile(template, setup.databases.target.url));
        run = await timeProcess('pgloader', [load], {
          cwd: dir,
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? dir },
          measureRss: true,
        });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      expectExit(label, run);
      await expectCounts(setup, label, edition.pgloaderTables);
      return sample(run);
    },
  };
}

/**
 * The contenders of one round, in the order they alternate; safe runs first because it measures the
 * batches the resume run is killed among.
 */
export function contenders(setup: BenchSetup, resume: ResumePoint): Contender[] {
  const variants = setup.edition.variants && setup.remap !== undefined;
  return [
    ferryApply(setup, 'safe', 'ferry apply (safe)', [], resume),
    ferryApply(setup, 'bulk', 'ferry apply --bulk', ['--bulk'], resume),
    ...(setup.psql
      ? [floor(setup, 'layered', 'layered COPY floor'), floor(setup, 'deferred', 'deferred COPY floor')]
      : []),
    ...(setup.pgloader ? [pgloader(setup)] : []),
    ...(variants && setup.remap
      ? [
          ferryApply(setup, 'remap', 'ferry apply, ID remap', [], resume, setup.remap),
          killAndResume(setup, resume),
        ]
      : []),
  ];
}
