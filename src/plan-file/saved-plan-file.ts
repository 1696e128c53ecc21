// The saved plan file: what `ferry --json plan` prints (so `report --plan` and `diff --plan` read it
// as they read that) plus the `basis` the plan was made against. Written atomically by
// `plan --out`, read back and checked by `apply FILE`.

import { rename, rm, writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { parsePlanOutput, readPlanJson } from '../diff/plan-file.js';
import { errorDiagnostic, FerryError } from '../errors.js';
import { type PlanBasis, PlanBasisSchema, SAVED_PLAN_FORMAT_VERSION } from './basis.js';
import { FERRY_VERSION } from './ferry-version.js';

/** A saved plan as read back: its basis, and the plan as its file holds it (plain JSON). */
export interface SavedPlanFile {
  /** The file as the user would name it (relative to the working directory). */
  readonly name: string;
  readonly basis: PlanBasis;
  readonly plan: Readonly<Record<string, unknown>>;
}

/** The file as the user would name it: relative to the working directory when under it. */
export function displayName(path: string): string {
  const name = relative(process.cwd(), path);
  return name === '' || name.startsWith('..') ? path : name;
}

/**
 * Writes `output` (what `ferry --json plan` prints) with its basis to `path`: a temporary file
 * renamed over the old one, so a reader never sees half a plan. Throws `plan.out-file` when it
 * cannot be written.
 */
export async function writeSavedPlan(
  path: string,
  output: Readonly<Record<string, unknown>>,
  basis: PlanBasis,
): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify({ ...output, basis }, null, 2)}\n`);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => {});
    throw new FerryError(
      errorDiagnostic(
        'plan.out-file',
        `cannot write ${displayName(path)}: ${(error as NodeJS.ErrnoException).code ?? error}`,
        { hint: 'name a file in a directory that exists and that ferry may write to' },
      ),
    );
  }
}

/**
 * The saved plan in `path`. Throws `apply.plan-file` when it cannot be read, is no plan, has no
 * basis (it was printed by `ferry --json plan`, not saved with --out), or was saved by another
 * version of ferry.
 *
 * @example
 * const saved = await readSavedPlan('plan.json');
 */
export async function readSavedPlan(path: string): Promise<SavedPlanFile> {
  const name = displayName(path);
  const json = await readPlanJson(path, name, planFileError);
  const output = parsePlanOutput(json, name, planFileError);
  if ('failed' in output)
    throw planFileError(`${name} holds the diagnostics of a plan that failed, not a plan`);
  if (!('basis' in json) || !('plan' in json))
    throw planFileError(`${name} is a plan without its basis: it was not saved with \`ferry plan --out\``);
  const version = (json.basis as { formatVersion?: unknown } | null)?.formatVersion;
  if (version !== SAVED_PLAN_FORMAT_VERSION)
    throw planFileError(
      `${name} is a saved plan of format ${String(version)}; this ferry reads format ${SAVED_PLAN_FORMAT_VERSION}`,
    );
  const basis = PlanBasisSchema.safeParse(json.basis);
  if (!basis.success) {
    const issue = basis.error.issues[0];
    const where = issue?.path.length ? ` at basis.${issue.path.join('.')}` : '';
    throw planFileError(`${name} is not a saved ferry plan: ${issue?.message ?? 'invalid'}${where}`);
  }
  if (basis.data.ferryVersion !== FERRY_VERSION)
    throw planFileError(
      `${name} was saved by ferry ${basis.data.ferryVersion}; this is ferry ${FERRY_VERSION}, which may plan differently`,
    );
  return { name, basis: basis.data, plan: json.plan as Record<string, unknown> };
}

function planFileError(message: string): FerryError {
  return new FerryError(
    errorDiagnostic('apply.plan-file', message, {
      hint: 'save the plan with `ferry plan --out plan.json` (with the ferry that applies it) and run `ferry apply plan.json`',
    }),
  );
}
