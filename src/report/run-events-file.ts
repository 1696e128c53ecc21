// The events `ferry apply --dry-run --json > dry-run.ndjson` wrote, read back for the pull-request
// report: one JSON event per line, or the diagnostics of a run that failed. Events of kinds this
// version does not know are passed over, so a newer ferry's file still reads.

import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { type Diagnostic, ERROR_CODES, errorDiagnostic, FerryError } from '../errors.js';
import type { RunnerEvent } from '../runner/events.js';
import { type RunSummary, summarizeRun } from './run-summary.js';

const Violation = z.looseObject({
  sqlstate: z.string(),
  message: z.string(),
  constraint: z.string().optional(),
  detail: z.string().optional(),
  table: z.string().optional(),
  column: z.string().optional(),
});

const OffendingRow = z.looseObject({
  key: z.array(z.string()),
  sqlstate: z.string(),
  message: z.string(),
  constraint: z.string().optional(),
  detail: z.string().optional(),
});

const Count = z.number().int().min(0);

/** The events the report reads; each checked for the fields it uses. */
const KnownEvent = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('migration-started'),
    migration: z.string(),
    batches: Count,
    doneBatches: Count.optional(),
  }),
  z.looseObject({
    type: z.literal('batch-committed'),
    migration: z.string(),
    batchNo: z.number(),
    rows: Count,
    skipped: Count.optional(),
    rejected: Count.optional(),
  }),
  z.looseObject({ type: z.literal('migration-done'), migration: z.string(), rows: Count }),
  z.looseObject({
    type: z.literal('migration-paused'),
    migration: z.string(),
    batchNo: z.number().optional(),
    violation: Violation,
    offending: z.array(OffendingRow).optional(),
  }),
  z.looseObject({ type: z.literal('migration-skipped'), migration: z.string(), reason: z.string() }),
]);

const KNOWN_TYPES: ReadonlySet<string> = new Set(KnownEvent.options.map((o) => o.shape.type.value));

const Failure = z.looseObject({
  ok: z.literal(false),
  diagnostics: z.array(z.looseObject({ code: z.string(), message: z.string(), hint: z.string().optional() })),
});

/**
 * The run summary of an NDJSON events file. Throws `report.events-file` when it cannot be read or a
 * line is neither an event nor a failure.
 *
 * @example
 * const dryRun = await readRunEvents('dry-run.ndjson', 'dry-run.ndjson');
 */
export async function readRunEvents(path: string, displayName: string): Promise<RunSummary> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw eventsError(`cannot read ${displayName}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  return parseRunEvents(text, displayName);
}

/** Parses the text of an events file (see readRunEvents). */
export function parseRunEvents(text: string, displayName: string): RunSummary {
  const events: RunnerEvent[] = [];
  const failure: Diagnostic[] = [];
  // `--json` failures are pretty-printed over several lines: a document is whatever parses.
  for (const [index, value] of jsonValues(text, displayName).entries()) {
    const where = `${displayName}, document ${index + 1}`;
    const failed = Failure.safeParse(value);
    if (failed.success) {
      failure.push(...failed.data.diagnostics.map(asDiagnostic));
      continue;
    }
    const type = (value as { type?: unknown } | null)?.type;
    if (typeof type !== 'string') throw eventsError(`${where} is not a ferry event (no \`type\`)`);
    if (!KNOWN_TYPES.has(type)) continue;
    const event = KnownEvent.safeParse(value);
    if (!event.success) {
      const issue = event.error.issues[0];
      throw eventsError(
        `${where} is not a valid \`${type}\` event: ${issue?.message} at ${issue?.path.join('.')}`,
      );
    }
    events.push(event.data as unknown as RunnerEvent);
  }
  return summarizeRun(events, failure);
}

/**
 * Consecutive JSON documents: one per line, or spread over lines as `--json` prints a failure (which
 * ends in a line holding only `}`).
 */
function jsonValues(text: string, displayName: string): unknown[] {
  const values: unknown[] = [];
  let pending: { readonly start: number; text: string } | undefined;
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (pending) {
      pending.text += `\n${line}`;
      if (line.trimEnd() !== '}') continue;
      const value = tryParse(pending.text);
      if (value.ok) {
        values.push(value.value);
        pending = undefined;
      }
      continue;
    }
    if (line.trim() === '') continue;
    const value = tryParse(line);
    if (value.ok) values.push(value.value);
    else pending = { start: index + 1, text: line };
  }
  if (pending) throw eventsError(`${displayName}: line ${pending.start} does not start a JSON document`);
  return values;
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function asDiagnostic(d: { code: string; message: string; hint?: string | undefined }): Diagnostic {
  const code = (ERROR_CODES as readonly string[]).includes(d.code)
    ? (d.code as Diagnostic['code'])
    : 'internal';
  return errorDiagnostic(code, d.message, { hint: d.hint });
}

function eventsError(message: string): FerryError {
  return new FerryError(
    errorDiagnostic('report.events-file', message, {
      hint: 'pass the output of `ferry apply --dry-run --json > dry-run.ndjson`, unedited',
    }),
  );
}
