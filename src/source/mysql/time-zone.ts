// The zone a MySQL server reads DATETIME values in by default, as an IANA name that PostgreSQL takes:
// `time_zone`, or the operating system's zone when that says SYSTEM. Offsets of whole hours become
// their Etc/GMT names; anything else must be declared in the project file before it is used.

import type mysql from 'mysql2/promise';
import { timeZoneProblem } from '../../spec/time-zone.js';

const OFFSET = /^([+-])(\d{1,2}):(\d{2})$/;

export async function mysqlDefaultTimeZone(connection: mysql.Connection): Promise<string> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>(
    'SELECT @@global.time_zone AS zone, @@system_time_zone AS system_zone',
  );
  const row = rows[0] as { zone: string; system_zone: string } | undefined;
  const reported = row?.zone === 'SYSTEM' ? row.system_zone : (row?.zone ?? 'UTC');
  // Without an IANA name the server's own words are returned: pinning them is refused where a zone
  // is chosen (only when the project declares none), with the hint to declare one.
  return ianaName(reported) ?? reported;
}

function ianaName(reported: string): string | undefined {
  const offset = OFFSET.exec(reported);
  if (offset) {
    const [, sign, hours, minutes] = offset;
    if (minutes !== '00') return undefined;
    const h = Number(hours);
    if (h === 0) return 'UTC';
    // Etc/GMT names count the other way: Etc/GMT-2 is two hours east of Greenwich.
    return `Etc/GMT${sign === '+' ? '-' : '+'}${h}`;
  }
  return timeZoneProblem(reported) === undefined ? reported : undefined;
}
