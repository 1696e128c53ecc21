// Benchmark (not a test): validate + compile of a generated 1,000-migration spec set, in process and as
// `ferry validate --offline`, and the CLI's cold start (`ferry --version`), each printed against its goal.
// Usage: npm run bench:compile -- [--migrations N] [--runs N]

import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadPlan } from '../src/compiler/load-plan.js';
import { FerryError } from '../src/errors.js';
import { generateSpecs } from './generate-specs.js';
import { median } from './stats.js';

const COMPILE_GOAL_MS = 1000;
const COLD_START_GOAL_MS = 250;
/** Cold-start spawns per compile run: 20 with the default of 5 runs, since one spawn is cheap and noisy. */
const SPAWNS_PER_RUN = 4;
const WARM_UPS = 2;

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const REPO = fileURLToPath(new URL('..', import.meta.url));

interface Row {
  readonly figure: string;
  readonly samples: readonly number[];
  readonly goalMs: number;
}

function positiveInteger(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${flag} must be a positive integer, not ${value}`);
    process.exit(2);
  }
  return n;
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

/** Runs the built CLI and returns its wall time as the user sees it, spawn included. */
function runCli(args: readonly string[]): {
  ms: number;
  status: number | null;
  stdout: string;
  stderr: string;
} {
  const start = performance.now();
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const elapsed = performance.now() - start;
  if (result.error) throw result.error;
  return { ms: elapsed, status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Thrown when the benchmark cannot measure what it claims to (invalid specs, a failing CLI): exit 1. */
class BenchmarkFailure extends Error {
  constructor(
    message: string,
    readonly details = '',
  ) {
    super(message);
  }
}

function printTable(rows: readonly Row[]): void {
  const header = ['figure', 'median', 'min–max', 'goal', 'result'];
  const body = rows.map((row) => {
    const m = median(row.samples);
    return [
      row.figure,
      ms(m),
      `${ms(Math.min(...row.samples))} – ${ms(Math.max(...row.samples))}`,
      `≤ ${ms(row.goalMs)}`,
      m <= row.goalMs ? 'met' : 'missed',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => (cells[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  console.log(`\n${line(header)}`);
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const cells of body) console.log(line(cells));
}

async function main(): Promise<void> {
  let values: { migrations?: string | undefined; runs?: string | undefined };
  try {
    ({ values } = parseArgs({ options: { migrations: { type: 'string' }, runs: { type: 'string' } } }));
  } catch (error) {
    console.error(`${(error as Error).message}\nusage: npm run bench:compile -- [--migrations N] [--runs N]`);
    process.exit(2);
  }
  const count = positiveInteger('migrations', values.migrations, 1000);
  const runs = positiveInteger('runs', values.runs, 5);

  const dir = await mkdtemp(join(tmpdir(), 'ferry-bench-'));
  try {
    const generated = await generateSpecs(dir, count);
    // Timings on a shared machine are only comparable with the load they were taken under.
    console.log(
      `node ${process.version}, ${availableParallelism()} CPUs, load average ${loadavg()[0]?.toFixed(2)}`,
    );
    console.log(
      `generated ${generated.migrations} migrations in ${generated.files} files, ${generated.bundles} of ` +
        `them with several documents (${generated.refs} refs, ${generated.dependsOn} dependsOn, ` +
        `${generated.expressions} expr, ${generated.wheres} where)`,
    );

    // The first call pays for loading the WebAssembly SQL parser and compiling the JSON schema; it also
    // proves the generated specs are valid, so a generator bug fails here instead of timing errors.
    const rows: Row[] = [];
    let coldMs: number;
    let layers: number;
    try {
      const start = performance.now();
      const { plan } = await loadPlan(dir, { requireEnv: false });
      coldMs = performance.now() - start;
      layers = plan.layers.length;
      if (plan.migrations.length !== count) {
        throw new BenchmarkFailure(`expected ${count} migrations in the plan, got ${plan.migrations.length}`);
      }
    } catch (error) {
      if (!(error instanceof FerryError)) throw error;
      const shown = error.diagnostics
        .slice(0, 10)
        .map(
          (d) => `  ${d.location ? `${d.location.file}:${d.location.line}: ` : ''}${d.code}: ${d.message}`,
        );
      throw new BenchmarkFailure(
        `the generated specs do not validate (${error.diagnostics.length} problems)`,
        shown.join('\n'),
      );
    }
    console.log(`valid: ${count} migrations in ${layers} layers`);
    rows.push({ figure: 'loadPlan, first run (cold)', samples: [coldMs], goalMs: COMPILE_GOAL_MS });

    const warm: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await loadPlan(dir, { requireEnv: false });
      warm.push(performance.now() - start);
    }
    rows.push({ figure: `loadPlan, warm (${runs} runs)`, samples: warm, goalMs: COMPILE_GOAL_MS });

    // One unrecorded run so that dist/ and node_modules are in the file cache like for the other figures.
    const validateArgs = ['validate', '--offline', dir];
    const validateRuns: number[] = [];
    for (let i = -1; i < runs; i++) {
      const result = runCli(validateArgs);
      if (result.status !== 0) {
        throw new BenchmarkFailure(
          `ferry validate --offline exited with ${result.status}`,
          `${result.stdout}${result.stderr}`,
        );
      }
      if (i >= 0) validateRuns.push(result.ms);
    }
    rows.push({
      figure: `ferry validate --offline (${runs} runs)`,
      samples: validateRuns,
      goalMs: COMPILE_GOAL_MS,
    });

    const spawns = runs * SPAWNS_PER_RUN;
    const coldStart: number[] = [];
    for (let i = -WARM_UPS; i < spawns; i++) {
      const result = runCli(['--version']);
      if (result.status !== 0) {
        throw new BenchmarkFailure(`ferry --version exited with ${result.status}`, result.stderr);
      }
      if (i >= 0) coldStart.push(result.ms);
    }
    rows.push({
      figure: `ferry --version (${spawns} spawns)`,
      samples: coldStart,
      goalMs: COLD_START_GOAL_MS,
    });

    printTable(rows);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  if (!(error instanceof BenchmarkFailure)) throw error;
  console.error(`\nbenchmark failed: ${error.message}`);
  if (error.details) console.error(error.details);
  process.exitCode = 1;
}
