// A saved plan for `diff --plan FILE`: what `ferry plan --format json` printed (or the bare Plan in
// it), read back and checked for the parts diff relies on before it is trusted as the planned side.

import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { PLAN_FORMAT_VERSION, type Plan } from '../compiler/plan.js';
import { type Diagnostic, ERROR_CODES, type ErrorCode, errorDiagnostic, FerryError } from '../errors.js';
import { findInvalidExpression } from '../spec/expression.js';

const Name = z.object({ schema: z.string(), name: z.string() });

/** What diff reads of each migration; the rest of the node is carried as written (loose objects). */
const SavedMigration = z.looseObject({
  name: z.string(),
  from: Name,
  to: Name,
  keys: z.enum(['preserve', 'generate']),
  where: z.string().optional(),
  columns: z.array(
    z.looseObject({
      target: z.string(),
      from: z.string().optional(),
      expr: z.string().optional(),
      ref: z.string().optional(),
      omit: z.literal(true).optional(),
    }),
  ),
  specHash: z.string(),
  tables: z
    .object({
      source: z.looseObject({ fingerprint: z.string() }),
      target: z.looseObject({ fingerprint: z.string() }),
    })
    .optional(),
  batch: z.looseObject({}),
  location: z.object({ file: z.string(), line: z.number(), column: z.number() }),
});

const SavedPlan = z.looseObject({
  formatVersion: z.literal(PLAN_FORMAT_VERSION),
  migrations: z.array(SavedMigration),
  edges: z.array(z.looseObject({ parent: z.string(), child: z.string() })),
  layers: z.array(z.array(z.string())),
  decisions: z.array(z.looseObject({})).default([]),
  warnings: z.array(z.looseObject({})).default([]),
});

/** `ferry plan --format json` prints the plan with the lock's news and the diagnostics around it. */
const PlanOutput = z.looseObject({ ok: z.boolean().optional(), plan: SavedPlan });

/** A saved plan, with what `ferry plan --json` said of ferry.lock when it printed one. */
export interface SavedPlanOutput {
  readonly plan: Plan;
  readonly lock?: { readonly path: string; readonly written: boolean; readonly changes: readonly string[] };
}

const LockNews = z.object({ path: z.string(), written: z.boolean(), changes: z.array(z.string()) });

const FailedPlan = z.looseObject({
  ok: z.literal(false),
  diagnostics: z.array(
    z.looseObject({
      severity: z.enum(['error', 'warning']).default('error'),
      code: z.string(),
      message: z.string(),
      hint: z.string().optional(),
      location: z.object({ file: z.string(), line: z.number(), column: z.number() }).optional(),
    }),
  ),
});

/**
 * The plan saved in `path`, as `ferry plan --format json > path` wrote it. Throws `diff.plan-file`
 * when the file cannot be read or does not hold a plan of this format.
 *
 * @example
 * const plan = await readPlanFile('plan.json', 'plan.json');
 */
export async function readPlanFile(path: string, displayName: string): Promise<Plan> {
  const saved = await readPlanOutput(path, displayName);
  if ('failed' in saved)
    throw planFileError(`${displayName} holds the diagnostics of a plan that failed, not a plan`);
  // diff builds SQL from the plan's `where`s: a file edited after `ferry plan` is checked as a spec is.
  const bad = await findInvalidExpression(
    saved.plan.migrations.flatMap((m) => [
      ...(m.where === undefined ? [] : [{ subject: `${m.name}.where`, text: m.where }]),
      ...m.columns.flatMap((c) =>
        c.expr === undefined ? [] : [{ subject: `${m.name}.${c.target}.expr`, text: c.expr }],
      ),
    ]),
  );
  if (bad)
    throw planFileError(
      `${displayName} holds an expression that is not one SQL expression (${bad.subject}: ${bad.problem})`,
    );
  return saved.plan;
}

/** How a file that is no saved plan is refused: `diff.plan-file` here, another code where apply reads one. */
export type PlanFileError = (message: string) => FerryError;

/**
 * Like readPlanFile, and a plan that failed (`ferry --json plan` printing `ok: false`) is returned
 * as its diagnostics rather than refused, for a report to show them.
 */
export async function readPlanOutput(
  path: string,
  displayName: string,
  fail: PlanFileError = planFileError,
): Promise<SavedPlanOutput | { readonly failed: readonly Diagnostic[] }> {
  return parsePlanOutput(await readPlanJson(path, displayName, fail), displayName, fail);
}

/** The file's JSON object, read and parsed; anything else (no file, no JSON, not an object) is refused. */
export async function readPlanJson(
  path: string,
  displayName: string,
  fail: PlanFileError = planFileError,
): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw fail(`cannot read ${displayName}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw fail(`${displayName} is not JSON: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw fail(`${displayName} is not a saved ferry plan: not a JSON object`);
  return json as Record<string, unknown>;
}

/** What readPlanOutput makes of a file's JSON object. */
export function parsePlanOutput(
  json: Record<string, unknown>,
  displayName: string,
  fail: PlanFileError = planFileError,
): SavedPlanOutput | { readonly failed: readonly Diagnostic[] } {
  const failed = FailedPlan.safeParse(json);
  if (failed.success) return { failed: failed.data.diagnostics.map(asDiagnostic) };
  const parsed = 'plan' in json ? PlanOutput.safeParse(json) : SavedPlan.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw fail(`${displayName} is not a saved ferry plan: ${issue?.message ?? 'invalid'}${where}`);
  }
  // Checked above for every field read; the remaining fields are the Plan as ferry wrote it.
  if (!('plan' in parsed.data)) return { plan: parsed.data as unknown as Plan };
  const lock = LockNews.safeParse((json as { lock?: unknown }).lock);
  return { plan: parsed.data.plan as unknown as Plan, ...(lock.success ? { lock: lock.data } : {}) };
}

function asDiagnostic(d: z.infer<typeof FailedPlan>['diagnostics'][number]): Diagnostic {
  const code = (ERROR_CODES as readonly string[]).includes(d.code) ? (d.code as ErrorCode) : 'internal';
  return {
    severity: d.severity,
    code,
    message: d.message,
    ...(d.hint === undefined ? {} : { hint: d.hint }),
    ...(d.location === undefined ? {} : { location: d.location }),
  };
}

function planFileError(message: string): FerryError {
  return new FerryError(
    errorDiagnostic('diff.plan-file', message, {
      hint: 'save a plan with `ferry plan --format json > plan.json` and pass that file to --plan',
    }),
  );
}
