// `ferry demo`: the main job on a machine with nothing installed. An embedded PostgreSQL gets the
// reference workload (legacy dispatch_* tables) as a source and the new schema `app` as a target;
// then validate, graph, plan and apply run on them, each step explained in one line.

import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { buildAgents } from '../../agents/registry.js';
import { loadPlan } from '../../compiler/load-plan.js';
import { planProject } from '../../compiler/plan-project.js';
import { startEmbeddedPostgres } from '../../demo/embedded-server.js';
import { renderGraph } from '../../report/graph.js';
import { groupDigits, renderPlanText } from '../../report/plan-report.js';
import { applyProject } from '../../runner/apply.js';
import type { CliContext } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';

/** The specs shipped with ferry for the reference workload. */
export const REFERENCE_SPECS_DIR = fileURLToPath(new URL('../../../specs', import.meta.url));
const WORKLOAD_DIR = fileURLToPath(new URL('../../../bench/workload', import.meta.url));

/** 10,000 case files, 20,000 orders: large enough to be real, small enough to load in seconds. */
const DEMO_SCALE = '0.01';

export async function demoCommand(context: CliContext): Promise<ExitCodeValue> {
  const { style } = context;
  const step = (name: string, text: string) => context.out(`${style.cyan(name.padEnd(11))} ${text}`);
  context.out(style.bold('ferry demo: a legacy dispatch_* schema moved into a new schema `app`'));
  context.out('');

  step('1. setup', 'an embedded PostgreSQL with a source database (legacy) and a target (app)');
  const started = Date.now();
  const server = await startEmbeddedPostgres();
  const projectDir = await mkdtemp(join(tmpdir(), 'ferry-demo-'));
  const stop = async () => {
    await server.stop();
    await rm(projectDir, { recursive: true, force: true });
  };
  // Ctrl-C stops the server rather than leaving it behind.
  const interrupted = () => void stop().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  try {
    const env = await createDatabases(server.url);
    await cp(REFERENCE_SPECS_DIR, join(projectDir, 'specs'), { recursive: true });
    const counts = await countRows(env.FERRY_SOURCE_URL);
    context.out(
      `            ${style.green('✓')} loaded in ${((Date.now() - started) / 1000).toFixed(1)} s: ${counts}`,
    );
    context.out('');

    step('2. validate', 'every spec is checked: format, names, references, SQL expressions');
    const { plan: compiled } = await loadPlan(join(projectDir, 'specs'), { env });
    context.out(`            ${style.green('✓')} ${compiled.migrations.length} migrations are valid`);
    context.out('');

    step('3. graph', 'parents load before the tables that reference them; one layer runs in parallel');
    context.out(indent(renderGraph(compiled, 'text', style)));
    context.out('');

    step('4. plan', 'agents fill in what the specs leave open; every decision is pinned in ferry.lock');
    const planned = await planProject({
      projectDir,
      env,
      agents: (project) => buildAgents(project, { cwd: projectDir }),
    });
    const inferred = planned.plan.migrations
      .flatMap((m) => m.columns)
      .filter((c) => c.origin.kind === 'inferred').length;
    context.out(
      indent(
        renderPlanText(
          planned.plan,
          { lockSummary: `ferry.lock pins ${inferred} inferred column mappings` },
          style,
        ),
      ),
    );
    context.out('');
    step(
      '5. apply',
      'rows move batch by batch; each batch commits with its checkpoint in _ferry, so a rerun resumes',
    );
    const applyStarted = Date.now();
    const applied = await applyProject({
      projectDir,
      env,
      agents: (project) => buildAgents(project, { cwd: projectDir }),
      onEvent: (event) => {
        if (event.type !== 'migration-done') return;
        context.out(`            ${style.green('✓')} ${event.migration}: ${groupDigits(event.rows)} rows`);
      },
    });
    const seconds = ((Date.now() - applyStarted) / 1000).toFixed(1);
    context.out(
      `            ${applied.paused ? style.red('paused') : style.green('✓')} applied in ${seconds} s`,
    );
    context.out('');
    step('next', 'run it on your own databases:');
    context.out('            npx ferry init --source $FERRY_SOURCE_URL --target $FERRY_TARGET_URL');
    context.out('            npx ferry plan && npx ferry apply');
    return applied.paused ? ExitCode.paused : ExitCode.ok;
  } finally {
    process.off('SIGINT', interrupted);
    await stop();
  }
}

async function createDatabases(
  serverUrl: string,
): Promise<{ FERRY_SOURCE_URL: string; FERRY_TARGET_URL: string }> {
  const urlOf = (database: string) => {
    const url = new URL(serverUrl);
    url.pathname = `/${database}`;
    return url.toString();
  };
  await run(serverUrl, 'CREATE DATABASE legacy_source; CREATE DATABASE app_target;');
  const source = (await readFile(join(WORKLOAD_DIR, 'legacy_source.sql'), 'utf8')).replaceAll(
    ':scale',
    DEMO_SCALE,
  );
  await run(urlOf('legacy_source'), source);
  await run(urlOf('app_target'), await readFile(join(WORKLOAD_DIR, 'legacy_target.sql'), 'utf8'));
  return { FERRY_SOURCE_URL: urlOf('legacy_source'), FERRY_TARGET_URL: urlOf('app_target') };
}

async function run(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // CREATE DATABASE cannot run inside the implicit transaction of a multi-statement query.
    for (const statement of sql.startsWith('CREATE DATABASE')
      ? sql.split(';').filter((s) => s.trim())
      : [sql]) {
      await client.query(statement);
    }
  } finally {
    await client.end();
  }
}

async function countRows(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; n: string }>(
      `SELECT c.relname AS name, c.reltuples::bigint AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
       WHERE s.nspname = 'legacy' AND c.relkind = 'r' ORDER BY c.relname`,
    );
    return rows.map((r) => `${groupDigits(Number(r.n))} ${r.name.replace('dispatch_', '')}`).join(', ');
  } finally {
    await client.end();
  }
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => (line === '' ? '' : `            ${line}`))
    .join('\n');
}
