// Which source time zone a plan uses and when ferry.lock is stale for it: a declaration wins and its
// change is news; a zone read from the server stays pinned whatever the server's default becomes.

import { describe, expect, it } from 'vitest';
import { chooseSourceTimeZone, type TimeZoneInputs } from '../../src/compiler/source-time-zone.js';

const PROJECT = { file: 'specs/ferry.yaml', line: 1, column: 1 };
const DECLARED_AT = { file: 'specs/ferry.yaml', line: 6, column: 17 };

function choose(inputs: Partial<TimeZoneInputs>) {
  return chooseSourceTimeZone({
    serverDefault: 'Asia/Tokyo',
    reread: false,
    readOnly: false,
    lockName: 'ferry.lock',
    projectLocation: PROJECT,
    ...inputs,
  });
}

const declared = (name: string) => ({ name, location: DECLARED_AT });

describe('chooseSourceTimeZone', () => {
  it('pins the server default when nothing is declared or pinned, saying so', () => {
    expect(choose({})).toEqual({
      name: 'Asia/Tokyo',
      origin: 'source-server',
      change: {
        message: 'the source time zone is not in ferry.lock yet: Asia/Tokyo, read from the source server',
        location: PROJECT,
      },
    });
  });

  it('keeps a zone pinned from the server when the server default changes, until --update-lock', () => {
    const pinned = { name: 'Europe/Berlin', origin: 'source-server' as const };
    expect(choose({ pinned })).toEqual({ name: 'Europe/Berlin', origin: 'source-server' });
    expect(choose({ pinned, reread: true })).toEqual({
      name: 'Asia/Tokyo',
      origin: 'source-server',
      change: {
        message: "the source server's TimeZone is now Asia/Tokyo (ferry.lock pinned Europe/Berlin)",
        location: PROJECT,
      },
    });
  });

  it('uses a declared zone whatever the server says, and reports a changed declaration', () => {
    const pinned = { name: 'America/New_York', origin: 'declared' as const };
    expect(choose({ declared: declared('America/New_York'), pinned })).toEqual({
      name: 'America/New_York',
      origin: 'declared',
    });
    expect(choose({ declared: declared('America/Chicago'), pinned })).toEqual({
      name: 'America/Chicago',
      origin: 'declared',
      change: {
        message: 'sourceTimeZone is now America/Chicago (ferry.lock pins America/New_York as declared)',
        location: DECLARED_AT,
      },
    });
  });

  it('reports a declaration that replaces or drops a pin', () => {
    const fromServer = { name: 'Asia/Tokyo', origin: 'source-server' as const };
    expect(choose({ declared: declared('Asia/Tokyo'), pinned: fromServer }).change?.message).toBe(
      'sourceTimeZone is now Asia/Tokyo (ferry.lock pins Asia/Tokyo as read from the source server)',
    );
    const wasDeclared = { name: 'America/New_York', origin: 'declared' as const };
    expect(choose({ pinned: wasDeclared })).toEqual({
      name: 'Asia/Tokyo',
      origin: 'source-server',
      change: {
        message:
          'the project no longer declares sourceTimeZone (ferry.lock pins America/New_York as declared)',
        location: PROJECT,
      },
    });
  });

  it('read-only (diff) keeps what the lock pins, stale or not', () => {
    const pinned = { name: 'America/New_York', origin: 'declared' as const };
    expect(choose({ declared: declared('Europe/Paris'), pinned, readOnly: true })).toMatchObject({
      name: 'America/New_York',
      origin: 'declared',
    });
    expect(choose({ pinned, readOnly: true })).toMatchObject({ name: 'America/New_York' });
  });
});
