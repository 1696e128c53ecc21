// Both sessions of a batch speak the same text: COPY writes values as text on the source and parses
// them on the target, so date, interval and float formats are pinned here, and both sessions were
// opened in the plan's source time zone (connectPostgres's `timeZone`): a zone-less source timestamp
// becomes a timestamptz in that zone, and a timestamptz source value is printed in it.

import type pg from 'pg';
import type { Plan } from '../compiler/plan.js';
import { FALLBACK_TIME_ZONE } from '../db/session-time-zone.js';

const FORMATS = `SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 3`;

export async function alignSessions(source: pg.ClientBase, target: pg.ClientBase): Promise<void> {
  await source.query(FORMATS);
  await target.query(FORMATS);
}

/** The zone every session of a run over `plan` is opened in. */
export function sessionTimeZone(plan: Plan): string {
  return plan.sourceTimeZone?.name ?? FALLBACK_TIME_ZONE;
}
