// What `ferry apply FILE` plans with: the project planned as apply always plans it (frozen lock),
// then held against the saved plan's basis and the saved plan itself. Anything that moved since the
// plan was made refuses it, each difference named, before the target is touched.

import { join, relative } from 'node:path';
import { type PlanProjectOptions, type PlanProjectResult, planProject } from '../compiler/plan-project.js';
import { errorDiagnostic, FerryError } from '../errors.js';
import { LOCK_FILE_NAME } from '../lock/lockfile.js';
import { sessionTimeZone } from '../runner/session.js';
import { type BasisNames, type CurrentBasis, compareBasis, type StaleReason } from './compare-basis.js';
import { planDifferences } from './compare-plans.js';
import { hashLockfile, hashSpecFiles, readAppliedDigests, tablesOfPlan } from './read-basis.js';
import { readSavedPlan, type SavedPlanFile } from './saved-plan-file.js';

export type SavedPlanOptions = Omit<PlanProjectOptions, 'frozenLock' | 'updateLock' | 'readOnly'>;

/**
 * The plan apply runs for the saved plan in `path`: planned again with the frozen lock, and returned
 * only when the specs, ferry.lock, both tables of every migration, the source time zone and the
 * target's state are as they were when it was saved, and the plan made now is the saved one. Throws
 * `apply.plan-stale` listing every difference, `apply.plan-file` for a file that is no saved plan.
 *
 * @example
 * const { plan } = await planSavedPlan('plan.json', { projectDir: '.', agents: () => [] });
 */
export async function planSavedPlan(path: string, options: SavedPlanOptions): Promise<PlanProjectResult> {
  // Read first: a file that is no saved plan fails before any database is asked.
  const saved = await readSavedPlan(path);
  const specsDir = options.specsDir ?? join(options.projectDir, 'specs');
  const lockPath = join(options.projectDir, LOCK_FILE_NAME);
  const names: BasisNames = { specsDir, lockName: relative(process.cwd(), lockPath) || LOCK_FILE_NAME };
  const files: CurrentBasis = { specs: await hashSpecFiles(specsDir), lock: await hashLockfile(lockPath) };
  const fileReasons = compareBasis(saved.basis, files, names);
  if (fileReasons.length > 0) {
    // Planned again only to name everything else that moved too, in one refusal.
    const others = await readWithoutPlanning(saved, options);
    throw staleError(saved, [...fileReasons, ...compareBasis(saved.basis, others, names)]);
  }
  let planned: PlanProjectResult;
  try {
    planned = await planProject({ ...options, frozenLock: true });
  } catch (error) {
    // A frozen plan fails on a table whose structure moved: the saved plan's staleness says it better.
    if (!(error instanceof FerryError)) throw error;
    const moved = compareBasis(saved.basis, await readWithoutPlanning(saved, options), names);
    throw moved.length > 0 ? staleError(saved, moved) : error;
  }
  const reasons = [
    ...compareBasis(
      saved.basis,
      { tables: tablesOfPlan(planned.plan), sourceTimeZone: sessionTimeZone(planned.plan) },
      names,
    ),
    ...planDifferences(saved.plan, planned.plan).map((message) => ({ message })),
    // Last, as close to the run as this can be: the run lock then keeps other applies out.
    ...compareBasis(
      saved.basis,
      { applied: await appliedNow(saved, planned.specs.project.target.url) },
      names,
    ),
  ];
  if (reasons.length > 0) throw staleError(saved, reasons);
  return planned;
}

/**
 * The tables, time zone and target state as a read-only plan sees them (it never asks an agent, never
 * writes ferry.lock, and resolves with its pins whether they still hold or not). Nothing when even
 * that fails: the refusal then names what was read without it.
 */
async function readWithoutPlanning(saved: SavedPlanFile, options: SavedPlanOptions): Promise<CurrentBasis> {
  try {
    const current = await planProject({ ...options, readOnly: true });
    return {
      tables: tablesOfPlan(current.plan),
      sourceTimeZone: sessionTimeZone(current.plan),
      applied: await appliedNow(saved, current.specs.project.target.url),
    };
  } catch {
    return {};
  }
}

function appliedNow(saved: SavedPlanFile, targetUrl: string) {
  return readAppliedDigests(targetUrl, Object.keys(saved.basis.applied));
}

function staleError(saved: SavedPlanFile, reasons: readonly StaleReason[]): FerryError {
  return new FerryError(
    reasons.map((reason) =>
      errorDiagnostic('apply.plan-stale', `${saved.name} is stale: ${reason.message}`, {
        hint: `make the plan again with \`ferry plan --out ${saved.name}\`, review it, and apply that`,
        location: reason.location,
      }),
    ),
  );
}
