// The source time zone in the plan report. Said in passing when it was declared or decides nothing;
// said prominently when ferry read it from the source server and some mapped column depends on it,
// since then a server setting nobody reviewed decides instants.

import type { SourceTimeZone, ZoneSensitiveColumn } from '../compiler/plan.js';
import { plainStyle, type Style } from './style.js';

const LISTED = 5;

function columnList(columns: readonly ZoneSensitiveColumn[], code: (text: string) => string): string {
  const listed = columns
    .slice(0, LISTED)
    .map((c) => `${code(`${c.migration}.${c.column}`)} (${c.conversion})`);
  const more = columns.length > LISTED ? ` and ${columns.length - LISTED} more` : '';
  return `${listed.join(', ')}${more}`;
}

function originText(zone: SourceTimeZone): string {
  return zone.origin === 'declared'
    ? 'declared in the project file'
    : "read from the source server's TimeZone and pinned in ferry.lock";
}

function affects(zone: SourceTimeZone, code: (text: string) => string): string {
  const count = zone.affectedColumns.length;
  if (count === 0) return 'no mapped column converts between zoned and zone-less date/time types';
  return `it decides the values of ${count} column${count === 1 ? '' : 's'}: ${columnList(zone.affectedColumns, code)}`;
}

/** The server's default moved since the pin: said so, since that is exactly what pinning ignores. */
function serverMoved(zone: SourceTimeZone): string | undefined {
  if (zone.origin !== 'source-server' || zone.serverDefault === zone.name) return undefined;
  return `the source server's TimeZone is now ${zone.serverDefault}; the pinned ${zone.name} stays (\`ferry plan --update-lock\` reads it again)`;
}

function prominent(zone: SourceTimeZone): boolean {
  return zone.origin === 'source-server' && zone.affectedColumns.length > 0;
}

/** Lines for the text report, after the lock summary. */
export function timeZoneText(zone: SourceTimeZone | undefined, style: Style = plainStyle): string[] {
  if (!zone) return [];
  const head = `source time zone ${zone.name}, ${originText(zone)}`;
  const lines = prominent(zone)
    ? [
        style.yellow(head),
        style.yellow(`  ${affects(zone, (t) => t)}`),
        style.yellow('  declare sourceTimeZone in the project file to make it explicit'),
      ]
    : [style.dim(`${head}; ${affects(zone, (t) => t)}`)];
  const moved = serverMoved(zone);
  return moved ? [...lines, style.yellow(`  ${moved}`)] : lines;
}

/** A paragraph for the Markdown report (a quoted warning when prominent). */
export function timeZoneMarkdown(zone: SourceTimeZone | undefined): string[] {
  if (!zone) return [];
  const code = (text: string) => `\`${text}\``;
  const moved = serverMoved(zone);
  const tail = moved ? ` ${moved.charAt(0).toUpperCase()}${moved.slice(1)}.` : '';
  if (prominent(zone)) {
    return [
      `> **Source time zone ${code(zone.name)} was read from the source server's \`TimeZone\`** and pinned in ferry.lock; ${affects(zone, code)}. Declare \`sourceTimeZone\` in the project file to make it explicit.${tail}`,
      '',
    ];
  }
  return [`Source time zone ${code(zone.name)}, ${originText(zone)}; ${affects(zone, code)}.${tail}`, ''];
}
