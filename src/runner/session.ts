// Both sessions of a batch speak the same text: COPY writes values as text on the source and parses
// them on the target, so date, interval and float formats are pinned, and the target reads
// timestamps in the source's time zone (values without a zone mean the source's local time).

import type pg from 'pg';

const FORMATS = `SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 3`;

export async function alignSessions(source: pg.ClientBase, target: pg.ClientBase): Promise<void> {
  await source.query(FORMATS);
  const { rows } = await source.query<{ TimeZone: string }>('SHOW TimeZone');
  await target.query(FORMATS);
  await target.query('SELECT set_config($1, $2, false)', ['TimeZone', rows[0]?.TimeZone ?? 'UTC']);
}
