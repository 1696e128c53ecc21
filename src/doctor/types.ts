// What `ferry doctor` reports: a list of checks, each ok, a warning or a failure, with what is wrong
// and the exact statement or setting that fixes it.

import type { QualifiedName } from '../spec/types.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  /** Stable, for scripts: `source.tables`, `target.sequences`, … */
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  /** What was found: the figures on success, what is missing otherwise. */
  readonly detail: string;
  /** The statements (SQL) or settings that fix it, one per entry, to run as they are. */
  readonly fix?: readonly string[];
}

export interface DoctorResult {
  /** No check failed (warnings allowed). */
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
}

/** One migration as doctor needs it: its tables and how apply will load it. */
export interface ScopedMigration {
  readonly name: string;
  readonly from: QualifiedName;
  readonly to: QualifiedName;
  /** Its batches may go through a temporary staging table (generated keys, refs, fix-ups). */
  readonly staged: boolean;
  /** Batches apply loads at once for it: --workers, else the parallelism ferry.lock pins, else 1. */
  readonly workers: number;
}

/** What doctor checks: the connection URLs and the migrations of the specs (those selected). */
export interface DoctorScope {
  readonly urls: { readonly source?: string; readonly target?: string };
  readonly migrations: readonly ScopedMigration[];
  /** The plan's layers (names of the scoped migrations only): what apply runs at once. */
  readonly layers: readonly (readonly string[])[];
  /** The check of the specs themselves: failed when they could not be loaded. */
  readonly specs: CheckResult;
  /** The zone the source's zone-less values are read in when the specs or ferry.lock say one. */
  readonly sourceTimeZone?: { readonly name: string; readonly origin: 'declared' | 'pinned' };
}

/** A check's outcome without its id and title, which the list of checks gives. */
export type Finding = Omit<CheckResult, 'id' | 'title'>;

export function ok(detail: string): Finding {
  return { status: 'ok', detail };
}

export function warn(detail: string, fix?: readonly string[]): Finding {
  return { status: 'warn', detail, ...(fix && fix.length > 0 ? { fix } : {}) };
}

export function fail(detail: string, fix?: readonly string[]): Finding {
  return { status: 'fail', detail, ...(fix && fix.length > 0 ? { fix } : {}) };
}

/** `1 table`, `5 tables`. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
