// `sourceTimeZone`: the IANA name the source's zone-less date/time values are read in. Checked here,
// at validate time, against the IANA database Node ships, so a typo fails in review and not when the
// servers are first asked; the servers check the name again when ferry sets it on each session.

import { type Diagnostic, errorDiagnostic } from '../errors.js';
import { referencesEnv } from './env.js';
import { closestMatch } from './suggest.js';
import type { SpecDocument } from './yaml-documents.js';

/** A region name (`Europe/Berlin`, `Etc/GMT-3`, `UTC`): never an offset or a POSIX rule. */
const NAME_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;
/** `+03:00`, `UTC+3`, `<+03>-03`: offsets and POSIX rules, which are not names. */
const OFFSET_LIKE = /^[-+<\d]|:|^[A-Za-z]*[-+]?\d/;

let canonicalNames: readonly string[] | undefined;

/** The IANA names Node knows under their canonical spelling, plus `UTC` (an alias Intl leaves out). */
function knownNames(): readonly string[] {
  canonicalNames ??= [...Intl.supportedValuesOf('timeZone'), 'UTC'];
  return canonicalNames;
}

/** Whether the IANA database accepts `name` (aliases such as `US/Eastern` or `Asia/Kolkata` included). */
function ianaAccepts(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export interface TimeZoneProblem {
  readonly message: string;
  readonly hint: string;
}

/**
 * What is wrong with `name` as a source time zone, or undefined when it is an IANA name spelt as
 * the database spells it.
 *
 * @example
 * timeZoneProblem('Europe/Berlin'); // → undefined
 * timeZoneProblem('Europe/Berln')?.hint; // → 'did you mean `Europe/Berlin`? …'
 */
export function timeZoneProblem(name: string): TimeZoneProblem | undefined {
  const known = knownNames();
  if (known.includes(name)) return undefined;
  const otherCase = known.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  if (otherCase) {
    return {
      message: `\`${name}\` is spelt \`${otherCase}\` in the IANA time zone database`,
      hint: `write sourceTimeZone: ${otherCase}`,
    };
  }
  if (NAME_SHAPE.test(name) && ianaAccepts(name)) return undefined;
  const examples = 'an IANA name such as Europe/Berlin, America/New_York or UTC';
  if (OFFSET_LIKE.test(name)) {
    return {
      message: `\`${name}\` is an offset or a POSIX rule, not an IANA time zone name`,
      // PostgreSQL reads POSIX offsets with the sign reversed (UTC+3 is three hours west), a classic
      // source of wrong instants; a name says what it means, daylight saving time included.
      hint: `write ${examples}; for a fixed offset, Etc/GMT-3 is three hours east of Greenwich (PostgreSQL would read UTC+3 as three hours west)`,
    };
  }
  const suggestion = closestMatch(name, known);
  return {
    message: `\`${name}\` is not a time zone of the IANA database`,
    hint: suggestion ? `did you mean \`${suggestion}\`?` : `write ${examples}`,
  };
}

/** `spec.time-zone` for an unknown `sourceTimeZone` of a project document; nothing when it is fine. */
export function checkSourceTimeZone(document: SpecDocument, data: Record<string, unknown>): Diagnostic[] {
  const name = data.sourceTimeZone;
  // Not a string, or empty: the schema reports it. Still a `${env:…}` reference: offline, with the variable unset.
  if (typeof name !== 'string' || name === '' || referencesEnv(name)) return [];
  const problem = timeZoneProblem(name);
  if (!problem) return [];
  return [
    errorDiagnostic('spec.time-zone', problem.message, {
      hint: problem.hint,
      location: document.locate(['sourceTimeZone']),
    }),
  ];
}
