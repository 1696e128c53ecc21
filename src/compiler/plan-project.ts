// `plan` as a library function: specs → both databases introspected → compiled graph (with the
// target's foreign keys) → decisions reused from ferry.lock or asked of the agents → resolved Plan,
// and ferry.lock written (or, frozen, checked).

import { join, relative } from 'node:path';
import type { Agent } from '../agents/protocol.js';
import { buildAgentRequest } from '../agents/request.js';
import { askChecked, runProposingAgents } from '../agents/run-agents.js';
import { introspectPostgres } from '../catalog/postgres/introspect.js';
import type { Catalog } from '../catalog/types.js';
import { connectPostgres } from '../db/postgres.js';
import { type Diagnostic, FerryError, hasErrors, sortDiagnostics } from '../errors.js';
import { compareWithLock, type LockChange, staleLockDiagnostics } from '../lock/freshness.js';
import { formatLockfile, readLockfile, writeLockfile } from '../lock/lock-io.js';
import { LOCK_FILE_NAME, lockPlan, pinnedFromLock } from '../lock/lockfile.js';
import { type PlanningSource, sourceDialect } from '../source/dialect.js';
import { loadSpecs } from '../spec/load.js';
import type { ProjectSpec, QualifiedName, SpecSet } from '../spec/types.js';
import { withDeferredStructure } from '../state/deferred-tables.js';
import { type Catalogs, checkAgainstCatalogs } from './catalog-checks.js';
import { compilePlan } from './compile.js';
import type { Plan, PlanDecision } from './plan.js';
import { resolvePlan } from './resolve.js';
import {
  type ChosenTimeZone,
  chooseSourceTimeZone,
  type TimeZoneChange,
  zoneSensitiveColumns,
} from './source-time-zone.js';

/** Proposals below this are raised as decisions unless the caller sets another threshold. */
export const DEFAULT_MIN_CONFIDENCE = 0.8;

export interface PlanProjectOptions {
  /** Where specs/ and ferry.lock are. */
  readonly projectDir: string;
  readonly specsDir?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Check ferry.lock instead of writing it: fail when it is stale; never ask agents. */
  readonly frozenLock?: boolean;
  /** Ask agents again for every migration, even where ferry.lock still holds. */
  readonly updateLock?: boolean;
  /**
   * For `diff`: resolve each migration with what ferry.lock pins for it, stale or not, and return the
   * staleness in lockChanges instead of failing. Never asks an agent, never writes ferry.lock, never
   * tries values on the source.
   */
  readonly readOnly?: boolean;
  readonly minConfidence?: number;
  /** The agents to ask, built from the project file. */
  readonly agents: (project: ProjectSpec) => readonly Agent[];
}

export interface PlanProjectResult {
  readonly plan: Plan;
  readonly specs: SpecSet;
  readonly catalogs: Catalogs;
  /** Warnings of loading and compiling (errors throw). */
  readonly diagnostics: readonly Diagnostic[];
  /** How the lock differed before this plan (empty when it held). */
  readonly lockChanges: readonly LockChange[];
  /** How the source time zone differs from the one ferry.lock pinned, if it does. */
  readonly timeZoneChange?: TimeZoneChange;
  readonly lockWritten: boolean;
  readonly lockPath: string;
}

/**
 * Plans a project against its databases.
 *
 * @example
 * const { plan } = await planProject({ projectDir: '.', agents: builtinAgents });
 * for (const d of plan.decisions) console.log(d.question);
 */
export async function planProject(options: PlanProjectOptions): Promise<PlanProjectResult> {
  const specsDir = options.specsDir ?? join(options.projectDir, 'specs');
  const lockPath = join(options.projectDir, LOCK_FILE_NAME);
  const minConfidence = options.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
  const loaded = await loadSpecs(specsDir, options.env ? { env: options.env } : {});
  if (!loaded.specs) throw new FerryError(loaded.diagnostics);
  const specs = loaded.specs;

  const source = await sourceDialect(specs.project.source.url).openForPlanning({
    source: specs.project.source.url,
    target: specs.project.target.url,
  });
  try {
    return await planWithSource(source, specs, loaded.diagnostics, {
      ...options,
      specsDir,
      lockPath,
      minConfidence,
    });
  } finally {
    await source.end();
  }
}

async function planWithSource(
  source: PlanningSource,
  specs: SpecSet,
  loadDiagnostics: readonly Diagnostic[],
  options: PlanProjectOptions & { lockPath: string; minConfidence: number },
): Promise<PlanProjectResult> {
  const { lockPath, minConfidence } = options;
  const lock = await readLockfile(lockPath, relative(process.cwd(), lockPath) || LOCK_FILE_NAME);
  // Read before the session's zone is set: with no zone declared or pinned, it is what gets pinned.
  const serverDefault = await source.serverTimeZone();
  const zone = chooseSourceTimeZone({
    ...(specs.project.sourceTimeZone ? { declared: specs.project.sourceTimeZone } : {}),
    ...(lock?.sourceTimeZone ? { pinned: lock.sourceTimeZone } : {}),
    serverDefault,
    reread: options.updateLock === true,
    readOnly: options.readOnly === true,
    lockName: LOCK_FILE_NAME,
    projectLocation: specs.project.location,
  });
  // Introspection too: the server prints defaults such as a timestamptz literal in the session's zone.
  await source.useTimeZone(zone.name);
  const catalogs = await introspectBoth(source, specs, zone.name);
  const withZone = (plan: Plan): Plan => withSourceTimeZone(plan, zone, serverDefault, catalogs);
  const timeZoneChange = zone.change ? { timeZoneChange: zone.change } : {};
  const compiled = compilePlan(specs, { target: catalogs.target });
  const diagnostics = [
    ...loadDiagnostics,
    ...compiled.diagnostics,
    ...(compiled.plan ? checkAgainstCatalogs(compiled.plan, catalogs) : []),
  ];
  if (!compiled.plan || hasErrors(diagnostics)) throw new FerryError(diagnostics);
  const compiledPlan = compiled.plan;

  const freshness = compareWithLock(lock, compiledPlan, catalogs);
  if (options.readOnly) {
    const pinned = new Map(
      Object.entries(lock?.migrations ?? {}).map(([name, entry]) => [name, pinnedFromLock(name, entry)]),
    );
    const plan = withZone(resolvePlan({ plan: compiledPlan, catalogs, outcomes: [], pinned, minConfidence }));
    return {
      plan,
      specs,
      catalogs,
      diagnostics,
      lockChanges: freshness.changes,
      ...timeZoneChange,
      lockWritten: false,
      lockPath,
    };
  }
  if (options.frozenLock && (freshness.changes.length > 0 || zone.change))
    throw new FerryError(staleLockDiagnostics([...(zone.change ? [zone.change] : []), ...freshness.changes]));

  const pinned = options.updateLock ? new Map() : freshness.reusable;
  const toAsk = compiledPlan.migrations.filter((m) => !pinned.has(m.name));
  const agents = options.agents(specs.project);
  const outcomes = await runProposingAgents(agents, { migrations: toAsk, catalogs, minConfidence });
  const resolved = resolvePlan({ plan: compiledPlan, catalogs, outcomes, pinned, minConfidence });
  const plan = withZone(
    await withGuidance(
      resolved,
      agents,
      toAsk.map((m) => m.name),
      catalogs,
      minConfidence,
    ),
  );
  const refused = await source.tryValues(plan, catalogs);
  if (refused.length > 0) throw new FerryError(sortDiagnostics(refused));

  const lockText = formatLockfile(lockPlan(plan));
  const lockWritten = !options.frozenLock && (lock === undefined || formatLockfile(lock) !== lockText);
  if (lockWritten) await writeLockfile(lockPath, lockPlan(plan));
  return {
    plan,
    specs,
    catalogs,
    diagnostics,
    lockChanges: freshness.changes,
    ...timeZoneChange,
    lockWritten,
    lockPath,
  };
}

function withSourceTimeZone(
  plan: Plan,
  zone: ChosenTimeZone,
  serverDefault: string,
  catalogs: Catalogs,
): Plan {
  return {
    ...plan,
    sourceTimeZone: {
      name: zone.name,
      origin: zone.origin,
      serverDefault,
      affectedColumns: zoneSensitiveColumns(plan, catalogs),
    },
  };
}

/** Introspects the source on the open connection and the target on one of its own. */
async function introspectBoth(source: PlanningSource, specs: SpecSet, timeZone: string): Promise<Catalogs> {
  const schemasOf = (names: readonly QualifiedName[]) => [...new Set(names.map((n) => n.schema))].sort();
  const [sourceCatalog, targetCatalog] = await Promise.all([
    source.introspect(schemasOf(specs.migrations.map((m) => m.from))),
    introspectTarget(specs.project.target.url, schemasOf(specs.migrations.map((m) => m.to)), timeZone),
  ]);
  return { source: sourceCatalog, target: targetCatalog };
}

/**
 * The target's catalog as ferry will leave it: tables whose keys a bulk load dropped for the time
 * of the load are read with the structure their rebuild brings back.
 */
async function introspectTarget(url: string, schemas: readonly string[], timeZone: string): Promise<Catalog> {
  const client = await connectPostgres(url, 'target', { timeZone });
  try {
    return await withDeferredStructure(
      client,
      await introspectPostgres(client, schemas.length ? { schemas } : {}),
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** Guidance agents rewrite the open decisions of the migrations just asked into plain language. */
async function withGuidance(
  plan: Plan,
  agents: readonly Agent[],
  asked: readonly string[],
  catalogs: Catalogs,
  minConfidence: number,
): Promise<Plan> {
  const open = plan.decisions.filter((d) => asked.includes(d.migration));
  let decisions: readonly PlanDecision[] = open;
  for (const agent of agents.filter((a) => a.role === 'guidance')) {
    if (decisions.length === 0) break;
    const migrations = plan.migrations.filter((m) => decisions.some((d) => d.migration === m.name));
    const request = {
      ...buildAgentRequest('guidance', migrations, catalogs, minConfidence),
      findings: decisions.map(({ migration, column, question, options }) => ({
        kind: 'decision' as const,
        migration,
        ...(column === undefined ? {} : { column }),
        question,
        options,
      })),
    };
    const answer = await askChecked(agent, request);
    const rewritten: PlanDecision[] = answer.proposals.flatMap((p) =>
      p.kind === 'decision'
        ? [
            {
              migration: p.migration,
              ...(p.column === undefined ? {} : { column: p.column }),
              question: p.question,
              options: p.options,
              agent: agent.name,
            },
          ]
        : [],
    );
    // A guidance agent rephrases; it cannot make a decision go away.
    const covered = new Set(rewritten.map(decisionKey));
    decisions = [...rewritten, ...decisions.filter((d) => !covered.has(decisionKey(d)))];
  }
  return {
    ...plan,
    decisions: [...plan.decisions.filter((d) => !asked.includes(d.migration)), ...decisions],
  };
}

function decisionKey(decision: PlanDecision): string {
  return `${decision.migration}\u0000${decision.column ?? ''}`;
}
