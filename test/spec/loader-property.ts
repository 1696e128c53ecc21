// The spec loader's property, checked on generated spec directories (spec-arbitraries.ts): whatever
// the files hold, loading ends in diagnostics, never an exception; every diagnostic has a known code,
// names a file it read with a line and column inside that file, and shows no stack trace and no value
// of an environment variable. The suite runs it (loader-fuzz.test.ts), and so does `npm run fuzz`.

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { type Diagnostic, ERROR_CODES, FerryError } from '../../src/errors.js';
import { loadSpecs } from '../../src/spec/load.js';
import { FUZZ_ENV, type FuzzFile, specDirectory } from './spec-arbitraries.js';

export interface FuzzOptions {
  /** Generated spec directories to load. */
  readonly runs: number;
  /** The seed that makes a run repeatable; printed with any failure. */
  readonly seed: number;
}

export interface FuzzResult {
  readonly runs: number;
  readonly seed: number;
  readonly files: number;
  readonly diagnostics: number;
  /** How many runs loaded without an error (the rest ended in diagnostics, as they should). */
  readonly loaded: number;
  /** fast-check's report (seed, path, the smallest counterexample), when the property failed. */
  readonly failure?: string;
}

/** Diagnostics about the directory as a whole: there is no file to point at. */
const DIRECTORY_CODES = new Set(['spec.no-project', 'spec.dir-missing']);

/** What an exception escaping into a message looks like. */
const LEAKED_EXCEPTION =
  /\n\s+at |\bat .+:\d+:\d+\)?$|\b(TypeError|ReferenceError|RangeError|SyntaxError|AggregateError)\b|Cannot read propert|is not a function|is not iterable|undefined is not|Maximum call stack/m;

/**
 * Loads `options.runs` generated spec directories and checks the property on each.
 *
 * @example
 * const result = await fuzzSpecLoader({ runs: 10_000, seed: 42 });
 * if (result.failure) console.error(result.failure);
 */
export async function fuzzSpecLoader(options: FuzzOptions): Promise<FuzzResult> {
  // Thousands of small directories: in memory where the system offers it, removed all at once after.
  const base = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'ferry-fuzz-'));
  const counts = { files: 0, diagnostics: 0, loaded: 0, directories: 0 };
  try {
    const property = fc.asyncProperty(specDirectory, fc.boolean(), async (files, requireEnv) => {
      const diagnostics = await loadDirectory(join(base, String(counts.directories++)), files, requireEnv);
      counts.files += files.length;
      counts.diagnostics += diagnostics.length;
      if (!diagnostics.some((d) => d.severity === 'error')) counts.loaded++;
    });
    const details = await fc.check(property, {
      numRuns: options.runs,
      seed: options.seed,
      endOnFailure: false,
    });
    return {
      runs: details.numRuns,
      seed: options.seed,
      files: counts.files,
      diagnostics: counts.diagnostics,
      loaded: counts.loaded,
      ...(details.failed ? { failure: failureReport(details) } : {}),
    };
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

/** fast-check's report (seed, path, smallest counterexample) and the error that counterexample met. */
function failureReport<T>(details: fc.RunDetails<T>): string {
  const error = details.errorInstance;
  const reason = error instanceof Error ? error.message : String(error);
  return `${fc.defaultReportMessage(details) ?? 'the property failed'}\n\nError: ${reason}`;
}

/** Writes `files` under `dir`, loads them, and throws when the property does not hold. */
export async function loadDirectory(
  dir: string,
  files: readonly FuzzFile[],
  requireEnv: boolean,
): Promise<readonly Diagnostic[]> {
  await mkdir(dir);
  for (const file of files) {
    const path = join(dir, file.name);
    if (dirname(path) !== dir) await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.content);
  }
  let diagnostics: readonly Diagnostic[];
  let specs: unknown;
  // A library's warning would reach the user's terminal beside ferry's diagnostics.
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  process.on('warning', onWarning);
  try {
    const result = await loadSpecs(dir, { env: FUZZ_ENV, requireEnv, cwd: dir });
    diagnostics = result.diagnostics;
    specs = result.specs;
  } catch (error) {
    if (!(error instanceof FerryError)) {
      throw new Error(`loadSpecs threw ${describeThrown(error)}`);
    }
    diagnostics = error.diagnostics;
  } finally {
    // Warnings are emitted on the next tick; one turn of the event loop lets them arrive.
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
  }
  if (warnings.length > 0) throw new Error(`loading printed a warning: ${warnings[0]?.message}`);
  const lines = new Map(files.map((f) => [f.name, textOf(f.content).split('\n')]));
  for (const diagnostic of diagnostics) checkDiagnostic(diagnostic, lines);
  const hasError = diagnostics.some((d) => d.severity === 'error');
  if (hasError === (specs !== undefined)) {
    throw new Error(`specs ${specs ? 'returned beside errors' : 'missing without an error'}`);
  }
  return diagnostics;
}

function checkDiagnostic(diagnostic: Diagnostic, fileLines: ReadonlyMap<string, readonly string[]>): void {
  const problem = diagnosticProblem(diagnostic, fileLines);
  if (problem) throw new Error(`${problem}: ${JSON.stringify(diagnostic)}`);
}

/** What is wrong with one diagnostic, if anything: the property, one diagnostic at a time. */
export function diagnosticProblem(
  diagnostic: Diagnostic,
  fileLines: ReadonlyMap<string, readonly string[]>,
): string | undefined {
  if (!(ERROR_CODES as readonly string[]).includes(diagnostic.code) || diagnostic.code === 'internal') {
    return `unexpected code ${diagnostic.code}`;
  }
  if (typeof diagnostic.message !== 'string' || diagnostic.message.trim() === '') return 'empty message';
  for (const text of [diagnostic.message, diagnostic.hint ?? '']) {
    if (LEAKED_EXCEPTION.test(text)) return 'an exception leaked into the message';
    if (Object.values(FUZZ_ENV).some((value) => text.includes(value))) return 'a variable value is shown';
  }
  if (DIRECTORY_CODES.has(diagnostic.code)) return undefined;
  const location = diagnostic.location;
  if (!location) return 'no location';
  const lines = fileLines.get(location.file);
  if (lines === undefined) return `location names a file that was not written (${location.file})`;
  const line = lines[location.line - 1];
  if (!Number.isInteger(location.line) || line === undefined)
    return `line outside the file's ${lines.length}`;
  if (!Number.isInteger(location.column) || location.column < 1 || location.column > line.length + 1) {
    return `column outside its line of ${line.length} characters`;
  }
  return undefined;
}

/** A file's text as the loader reads it, invalid bytes replaced (positions before them are unchanged). */
function textOf(content: string | Uint8Array): string {
  return typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
}

function describeThrown(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}\n${error.stack ?? ''}`;
  return String(error);
}
