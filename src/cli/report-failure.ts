// How a command's failure reaches the user: diagnostics for FerryErrors (never a stack trace), and
// for anything else a one-line "internal error" whose stack --debug reveals.

import { type Diagnostic, FerryError } from '../errors.js';
import { formatDiagnostics, githubAnnotation, summarizeDiagnostics } from '../report/diagnostics.js';
import type { CliContext } from './context.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';

/** Prints diagnostics in the context's format; returns nothing so callers pick the exit code. */
export function printDiagnostics(context: CliContext, diagnostics: readonly Diagnostic[]): void {
  if (diagnostics.length === 0) return;
  // On stderr, which the Actions runner reads for workflow commands as well: stdout stays what the
  // format promises (a plan saved with --format json > plan.json must be JSON).
  const workspace = context.env.GITHUB_WORKSPACE;
  if (context.github) for (const d of diagnostics) context.err(githubAnnotation(d, { workspace }));
  if (context.json) return;
  context.err(formatDiagnostics(diagnostics, context.errStyle));
}

export function reportFailure(context: CliContext, error: unknown): ExitCodeValue {
  if (error instanceof FerryError) {
    if (context.json) {
      context.out(JSON.stringify({ ok: false, diagnostics: error.diagnostics }, null, 2));
    }
    printDiagnostics(context, error.diagnostics);
    if (!context.json && error.diagnostics.length > 1) context.err(summarizeDiagnostics(error.diagnostics));
    return ExitCode.error;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (context.json) {
    context.out(
      JSON.stringify({ ok: false, diagnostics: [{ severity: 'error', code: 'internal', message }] }, null, 2),
    );
  }
  context.err(`internal error: ${message}`);
  context.err(
    context.debug && error instanceof Error && error.stack
      ? error.stack
      : 'this is a bug in ferry; run again with --debug for details and report it',
  );
  return ExitCode.error;
}
