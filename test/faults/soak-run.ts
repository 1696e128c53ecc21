// The soak: `ferry apply` on the reference workload killed N times at random moments, each kill
// followed by a resume, until all N kills have happened; a run that finishes before its kill ends a
// round, which is counted against the source and started over (rollback or a fresh target). Shared
// by `npm run soak` (scripts/soak.ts) and the suite's smaller soak (soak.test.ts).

import { connectPostgres } from '../../src/db/postgres.js';
import { restoreConstraints } from '../../src/runner/bulk.js';
import { FaultProject } from './fault-project.js';
import { countRows, readAftermath, targetConstraints } from './soak-count.js';
import { applyWithKill, describeKill, planKill, readRunState } from './soak-kills.js';
import { drawRun, type RunDraws, seededRandom } from './soak-random.js';
import { buildSoakWorkload, soakBatchCounts, soakBatchSizes } from './soak-workload.js';

export interface SoakOptions {
  /** A PostgreSQL server the soak creates its two databases on (and drops them after). */
  readonly serverUrl: string;
  readonly kills: number;
  /** The reference workload's scale: 0.002 is 2,000 case files, 4,000 orders. */
  readonly scale: number;
  readonly seed: number;
  /**
   * Kill runs that rebuild keys after a bulk load only at failpoints, which all come before the
   * rebuild: a kill in the middle of the rebuild leaves a target the next apply refuses as a stale
   * plan (see kill-bulk-rebuild.test.ts), so a soak that must pass spares it until that is fixed.
   */
  readonly spareRebuild?: boolean;
  readonly log?: (line: string) => void;
}

export interface SoakResult {
  readonly kills: number;
  /** Kills after which the target held only committed batches, the resume went on, and the round ended exact. */
  readonly survived: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly changed: number;
  /** `ferry verify` passed at the end. */
  readonly verified: boolean;
  readonly rounds: number;
  /** Resumes `apply --bulk` refused because the killed run had loaded and rebuilt everything. */
  readonly bulkRefusals: number;
  /** Where the kills landed, by step. */
  readonly landings: ReadonlyMap<string, number>;
  /** How the kills were made: failpoints, wall-clock, during the rebuild. */
  readonly kinds: ReadonlyMap<string, number>;
  /** Everything that went wrong, in words. */
  readonly failures: readonly string[];
}

/** The line `npm run soak` ends with. */
export function formatSoakResult(result: SoakResult): string {
  return `kills survived ${result.survived}/${result.kills}, rows lost ${result.lost}, rows duplicated ${result.duplicated}`;
}

export function soakPassed(result: SoakResult): boolean {
  return (
    result.survived === result.kills &&
    result.lost === 0 &&
    result.duplicated === 0 &&
    result.changed === 0 &&
    result.verified &&
    result.failures.length === 0
  );
}

interface Mode {
  readonly bulk: boolean;
  readonly workers: number;
}

function modeArgs(mode: Mode): string[] {
  return [...(mode.bulk ? ['--bulk'] : []), ...(mode.workers > 1 ? ['--workers', String(mode.workers)] : [])];
}

function describeMode(mode: Mode): string {
  return modeArgs(mode).join(' ') || 'safe';
}

/** A round's flags: safe or --bulk, one worker or two per migration, a quarter each. */
function roundMode(draws: RunDraws): Mode {
  return { bulk: draws.mode < 0.5, workers: draws.mode % 0.5 < 0.25 ? 1 : 2 };
}

interface KillRecord {
  readonly number: number;
  survived: boolean;
}

/**
 * Runs the soak and reports what it counted; never throws for what ferry did (that is in the
 * result), only when the soak itself cannot go on.
 *
 * @example
 * const result = await runSoak({ serverUrl, kills: 100, scale: 0.002, seed: 7, log: console.log });
 * console.log(formatSoakResult(result));
 */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const log = options.log ?? (() => {});
  const workload = await buildSoakWorkload(options.serverUrl, options.scale);
  try {
    const project = new FaultProject(workload, 'app');
    await project.setBatchSizes(soakBatchSizes(options.scale));
    return await new Soak(project, options, log).run();
  } finally {
    await workload.drop();
  }
}

class Soak {
  private readonly random;
  private readonly kills: KillRecord[] = [];
  private round: KillRecord[] = [];
  private readonly failures: string[] = [];
  private readonly landings = new Map<string, number>();
  private readonly kinds = new Map<string, number>();
  private totals = { lost: 0, duplicated: 0, changed: 0 };
  private rounds = 0;
  private bulkRefusals = 0;
  private runMs = 3000;
  private constraints: string[] = [];
  private readonly batches: Readonly<Record<string, number>>;

  constructor(
    private readonly project: FaultProject,
    private readonly options: SoakOptions,
    private readonly log: (line: string) => void,
  ) {
    this.random = seededRandom(options.seed);
    this.batches = soakBatchCounts(options.scale);
  }

  async run(): Promise<SoakResult> {
    this.constraints = await targetConstraints(this.project.workload.target);
    await this.calibrate();
    let mode: Mode | undefined;
    while (this.kills.length < this.options.kills) {
      const draws = drawRun(this.random);
      if (mode === undefined) {
        mode = roundMode(draws);
        this.rounds += 1;
        this.log(`round ${this.rounds}: ${describeMode(mode)}`);
      } else if (mode.bulk && draws.safeResume < 0.15) {
        // A crashed bulk load resumed without --bulk: the keys are rebuilt first, then a safe load.
        mode = { ...mode, bulk: false };
        this.log(`  resumed without --bulk from here on`);
      }
      const state = await readRunState(this.project.workload.target, this.batches);
      const plan = planKill(draws, state, {
        bulk: mode.bulk,
        runMs: this.runMs * (mode.bulk ? 1.5 : 1),
        spareRebuild: this.options.spareRebuild === true,
      });
      const outcome = await applyWithKill(this.project, modeArgs(mode), plan);
      if (outcome.status === 'killed') {
        await this.afterKill(describeKill(plan), plan.kind, outcome.pid);
        continue;
      }
      if (outcome.status === 'failed')
        mode = await this.afterFailedRun(mode, outcome.exitCode, outcome.stderr);
      await this.endRound(mode);
      await this.startOver(draws);
      mode = undefined;
    }
    if (mode !== undefined) {
      const last = await this.project.ferry(['apply', ...modeArgs(mode)]);
      if (last.exitCode !== 0) mode = await this.afterFailedRun(mode, last.exitCode, last.stderr);
      await this.endRound(mode);
    }
    const verified = await this.verify();
    return {
      kills: this.kills.length,
      survived: this.kills.filter((k) => k.survived).length,
      ...this.totals,
      verified,
      rounds: this.rounds,
      bulkRefusals: this.bulkRefusals,
      landings: this.landings,
      kinds: this.kinds,
      failures: this.failures,
    };
  }

  /** One whole apply before the soak, to know how long a run holds its lock; the target is then reset. */
  private async calibrate(): Promise<void> {
    const whole = await applyWithKill(this.project, [], { kind: 'timer', delayMs: Number.POSITIVE_INFINITY });
    if (whole.status !== 'finished')
      throw new Error(`the calibration apply did not finish: ${JSON.stringify(whole)}`);
    this.runMs = Math.max(500, whole.lockToExitMs ?? this.runMs);
    this.log(`a whole apply holds its lock for ${this.runMs} ms: wall-clock kills come within that`);
    await this.project.reset();
  }

  private async afterKill(description: string, kind: string, pid: number): Promise<void> {
    await this.project.waitForSessionsGone();
    const aftermath = await readAftermath(this.project.workload.target, pid);
    const record = { number: this.kills.length + 1, survived: aftermath.mismatches.length === 0 };
    this.kills.push(record);
    this.round.push(record);
    count(this.landings, aftermath.landing);
    count(this.kinds, kind);
    this.log(
      `  kill ${record.number}/${this.options.kills}: ${description} → landed in ${aftermath.landing}`,
    );
    for (const mismatch of aftermath.mismatches) this.fail(`after kill ${record.number}: ${mismatch}`);
  }

  /**
   * A resume that did not finish. `apply --bulk` refuses tables that hold rows, as documented, when
   * the run it resumes had loaded and rebuilt everything before it died: not a failure, the round
   * goes on without --bulk. Anything else is charged to the kill before it, and the soak recovers
   * with an apply that finishes, or gives up.
   */
  private async afterFailedRun(mode: Mode, exitCode: number, stderr: string): Promise<Mode> {
    if (stderr.includes('error[apply.bulk-not-empty]') && (await this.everythingLoaded())) {
      this.log(`  apply --bulk refused tables the killed run had loaded and rebuilt (apply.bulk-not-empty)`);
      this.bulkRefusals += 1;
      return this.recover({ ...mode, bulk: false });
    }
    this.fail(`apply ${describeMode(mode)} exited ${exitCode}: ${firstLines(stderr)}`);
    const previous = this.round.at(-1);
    if (previous) previous.survived = false;
    if (!stderr.includes('error[lock.stale]')) return this.recover(mode);
    await this.finishCutRebuild();
    return { ...mode, bulk: false };
  }

  private async everythingLoaded(): Promise<boolean> {
    const state = await readRunState(this.project.workload.target, this.batches);
    const phases = [...state.phases.values()];
    return (
      !state.rebuildPending &&
      phases.length === Object.keys(this.batches).length &&
      phases.every((phase) => phase === 'done')
    );
  }

  /**
   * The way out of a rebuild that a kill cut in the middle, which no ferry command offers (planning
   * again pins the half-rebuilt tables, which apply then refuses): the soak finishes the rebuild
   * itself, as apply would have first, and applies.
   */
  private async finishCutRebuild(): Promise<void> {
    const { url } = this.project.workload.target;
    await restoreConstraints(() => connectPostgres(url, 'target'), { parallelism: 2 });
    const applied = await this.project.ferry(['apply']);
    if (applied.exitCode !== 0) {
      throw new Error(`apply after the rebuild exited ${applied.exitCode}: ${firstLines(applied.stderr)}`);
    }
    this.log('  the soak finished the cut rebuild itself (restoreConstraints) and applied');
  }

  /** Runs apply until one finishes: as `mode`, then safe; gives up when neither does. */
  private async recover(mode: Mode): Promise<Mode> {
    for (const next of [mode, { bulk: false, workers: 1 }]) {
      const again = await this.project.ferry(['apply', ...modeArgs(next)]);
      if (again.exitCode === 0) return next;
      this.fail(`recovery apply ${describeMode(next)} exited ${again.exitCode}: ${firstLines(again.stderr)}`);
    }
    throw new Error(`the soak cannot go on: apply fails even without a kill (${this.failures.at(-1)})`);
  }

  /** The round's result against the source: no row lost, doubled or changed; every key rebuilt. */
  private async endRound(mode: Mode): Promise<void> {
    const target = this.project.workload.target;
    const counts = await countRows(this.project.workload);
    this.totals = {
      lost: this.totals.lost + counts.lost,
      duplicated: this.totals.duplicated + counts.duplicated,
      changed: this.totals.changed + counts.changed,
    };
    const problems: string[] = [];
    if (counts.lost + counts.duplicated + counts.changed > 0) {
      problems.push(`${counts.lost} lost, ${counts.duplicated} duplicated, ${counts.changed} changed`);
    }
    const constraints = await targetConstraints(target);
    if (constraints.join('\n') !== this.constraints.join('\n')) {
      problems.push(
        `the target's keys differ from before: ${constraints.length} of ${this.constraints.length}`,
      );
    }
    this.log(
      `round ${this.rounds} finished (${describeMode(mode)}) after ${this.round.length} kill(s): ${problems.join('; ') || 'exact'}`,
    );
    for (const problem of problems) this.fail(`round ${this.rounds}: ${problem}`);
    if (problems.length > 0) for (const record of this.round) record.survived = false;
    this.round = [];
  }

  /** A round ended with the load complete: start over by rollback or on a fresh target. */
  private async startOver(draws: RunDraws): Promise<void> {
    if (draws.restart >= 0.5) {
      await this.project.reset();
      return;
    }
    const rollback = await this.project.ferry(['rollback']);
    if (rollback.exitCode !== 0) {
      this.fail(`rollback exited ${rollback.exitCode}: ${firstLines(rollback.stderr)}`);
      await this.project.reset();
    }
  }

  private async verify(): Promise<boolean> {
    const verify = await this.project.ferry(['verify']);
    if (verify.exitCode === 0) return true;
    this.fail(`ferry verify exited ${verify.exitCode}: ${firstLines(verify.stdout)}`);
    return false;
  }

  private fail(message: string): void {
    this.failures.push(message);
    this.log(`  ✗ ${message}`);
  }
}

function count(tally: Map<string, number>, key: string): void {
  tally.set(key, (tally.get(key) ?? 0) + 1);
}

function firstLines(text: string): string {
  return text.split('\n').slice(0, 3).join(' | ');
}
