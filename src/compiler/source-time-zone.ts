// Which time zone a plan reads the source's zone-less values in: the project's `sourceTimeZone`, else
// the zone ferry.lock pinned, else the source server's default TimeZone (read now, and pinned). A
// server default that changes after pinning changes nothing; a changed declaration makes the lock stale.

import type { CatalogColumn } from '../catalog/types.js';
import { FALLBACK_TIME_ZONE } from '../db/session-time-zone.js';
import type { SourceLocation } from '../errors.js';
import { readLockfile } from '../lock/lock-io.js';
import type { LockedTimeZone } from '../lock/lockfile.js';
import type { DeclaredTimeZone, ProjectSpec } from '../spec/types.js';
import { type Catalogs, findTable } from './catalog-checks.js';
import type { Plan, SourceTimeZone, ZoneSensitiveColumn } from './plan.js';

export interface TimeZoneInputs {
  /** The project file's `sourceTimeZone`. */
  readonly declared?: DeclaredTimeZone;
  /** What ferry.lock pins. */
  readonly pinned?: LockedTimeZone;
  /** The source server's default TimeZone, read by this plan. */
  readonly serverDefault: string;
  /** `--update-lock`: a zone pinned from the server is read from it again. */
  readonly reread: boolean;
  /** `diff`: the lock's pin as it stands, stale or not. */
  readonly readOnly: boolean;
  /** How the pins are named in messages (ferry.lock). */
  readonly lockName: string;
  /** Where the project file starts, for a change no key of it can point at. */
  readonly projectLocation: SourceLocation;
}

/** How the zone differs from ferry.lock's pin; under --frozen-lock, a reason the lock is stale. */
export interface TimeZoneChange {
  readonly message: string;
  readonly location: SourceLocation;
}

export interface ChosenTimeZone {
  readonly name: string;
  readonly origin: SourceTimeZone['origin'];
  readonly change?: TimeZoneChange;
}

/**
 * The zone this plan uses, and how that differs from the pin.
 *
 * @example
 * chooseSourceTimeZone({ pinned: { name: 'Europe/Berlin', origin: 'source-server' }, serverDefault: 'UTC', … });
 * // → { name: 'Europe/Berlin', origin: 'source-server' }: pinned, so the server's new default is ignored
 */
export function chooseSourceTimeZone(inputs: TimeZoneInputs): ChosenTimeZone {
  const { declared, pinned, serverDefault, lockName } = inputs;
  const fromServer = { name: serverDefault, origin: 'source-server' as const };
  if (pinned === undefined) {
    const chosen = declared ? { name: declared.name, origin: 'declared' as const } : fromServer;
    const origin = declared ? 'declared' : 'read from the source server';
    return {
      ...chosen,
      change: {
        message: `the source time zone is not in ${lockName} yet: ${chosen.name}, ${origin}`,
        location: declared?.location ?? inputs.projectLocation,
      },
    };
  }
  const asPinned = { name: pinned.name, origin: pinned.origin };
  if (declared) {
    const chosen = inputs.readOnly ? asPinned : { name: declared.name, origin: 'declared' as const };
    if (pinned.origin === 'declared' && pinned.name === declared.name) return chosen;
    const held =
      pinned.origin === 'declared'
        ? `${pinned.name} as declared`
        : `${pinned.name} as read from the source server`;
    return {
      ...chosen,
      change: {
        message: `sourceTimeZone is now ${declared.name} (${lockName} pins ${held})`,
        location: declared.location,
      },
    };
  }
  if (pinned.origin === 'declared') {
    return {
      ...(inputs.readOnly ? asPinned : fromServer),
      change: {
        message: `the project no longer declares sourceTimeZone (${lockName} pins ${pinned.name} as declared)`,
        location: inputs.projectLocation,
      },
    };
  }
  if (!inputs.reread || inputs.readOnly || serverDefault === pinned.name) return asPinned;
  return {
    ...fromServer,
    change: {
      message: `the source server's TimeZone is now ${serverDefault} (${lockName} pinned ${pinned.name})`,
      location: inputs.projectLocation,
    },
  };
}

/**
 * The zone for a command that opens sessions without planning (`status`): the one ferry.lock pins,
 * else the declared one, else UTC. An unreadable lock is not this command's business: UTC then.
 */
export async function knownSourceTimeZone(project: ProjectSpec, lockPath: string): Promise<string> {
  const lock = await readLockfile(lockPath, lockPath).catch(() => undefined);
  return lock?.sourceTimeZone?.name ?? project.sourceTimeZone?.name ?? FALLBACK_TIME_ZONE;
}

/** Types whose values carry an instant: converting them to or from anything else takes a zone. */
const ZONED_TYPES = new Set(['timestamptz', 'timetz']);
const DATE_TIME_TYPES = new Set(['timestamptz', 'timestamp', 'date', 'timetz', 'time']);

/**
 * The mapped columns whose written values depend on the session's TimeZone: a value converted to
 * or from a zoned type (timestamp → timestamptz, timestamptz → date, text → timestamptz, …), and
 * every expression that writes a date/time column (`now()::date`, `created::timestamptz`).
 */
export function zoneSensitiveColumns(plan: Plan, catalogs: Catalogs): ZoneSensitiveColumn[] {
  const found: ZoneSensitiveColumn[] = [];
  for (const migration of plan.migrations) {
    const source = findTable(catalogs.source, migration.from);
    const target = findTable(catalogs.target, migration.to);
    if (!source || !target) continue;
    for (const column of migration.columns) {
      if (column.omit || column.ref !== undefined) continue;
      const to = typeOf(target.columns, column.target);
      if (to === undefined) continue;
      const conversion =
        column.expr !== undefined
          ? DATE_TIME_TYPES.has(to)
            ? `expression → ${to}`
            : undefined
          : zonedConversion(typeOf(source.columns, column.from ?? column.target), to);
      if (conversion) found.push({ migration: migration.name, column: column.target, conversion });
    }
  }
  return found;
}

function typeOf(columns: readonly CatalogColumn[], name: string): string | undefined {
  return columns.find((c) => c.name === name)?.baseType.replace(/\[\]$/, '');
}

function zonedConversion(from: string | undefined, to: string): string | undefined {
  if (from === undefined || from === to) return undefined;
  return ZONED_TYPES.has(from) || ZONED_TYPES.has(to) ? `${from} → ${to}` : undefined;
}
