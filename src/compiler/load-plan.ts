// Specs directory → validated specs → compiled Plan, in one call: what validate, graph and every later
// command start with. All problems of both stages are reported together.

import type { Diagnostic } from '../errors.js';
import { FerryError, hasErrors } from '../errors.js';
import { type LoadOptions, loadSpecs } from '../spec/load.js';
import type { SpecSet } from '../spec/types.js';
import { compilePlan } from './compile.js';
import type { Plan } from './plan.js';

export interface LoadedPlan {
  readonly specs: SpecSet;
  readonly plan: Plan;
  /** Warnings only: any error throws. */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Loads the specs under `specsDir` and compiles them. Throws FerryError with every diagnostic when
 * anything is wrong.
 *
 * @example
 * const { plan } = await loadPlan('specs', { requireEnv: false });
 */
export async function loadPlan(specsDir: string, options: LoadOptions = {}): Promise<LoadedPlan> {
  const loaded = await loadSpecs(specsDir, options);
  if (!loaded.specs) throw new FerryError(loaded.diagnostics);
  const compiled = compilePlan(loaded.specs);
  const diagnostics = [...loaded.diagnostics, ...compiled.diagnostics];
  if (!compiled.plan || hasErrors(diagnostics)) throw new FerryError(diagnostics);
  return { specs: loaded.specs, plan: compiled.plan, diagnostics };
}
