// The advisory lock keys ferry takes in the target. The schema upgrade uses PostgreSQL's two-int4 key
// space and run locks its int8 space: the two can never collide, whatever a run lock's name hashes to.

import { createHash } from 'node:crypto';

/** 'ferr' in ASCII: the first int4 of every two-int4 advisory key ferry takes. */
export const FERRY_LOCK_SPACE = 0x66657272;

/** The second int4 of the key held while `_ferry` is created or upgraded. */
export const UPGRADE_LOCK_ID = 1;

/**
 * The int8 advisory key of a run lock, as a decimal string (pg passes it as text; a JS number cannot
 * hold 64 bits). SHA-256 rather than the server's hashtext, so the key is the same on every server.
 *
 * @example
 * runLockKey('apply'); // '-8204…', the same on every machine and every PostgreSQL version
 */
export function runLockKey(name: string): string {
  const digest = createHash('sha256').update(`ferry run lock\u0000${name}`).digest();
  return digest.readBigInt64BE(0).toString();
}

/**
 * How pg_locks shows an int8 advisory key: its high and low 32 bits as the unsigned `classid` and
 * `objid`, with `objsubid` 1.
 */
export function runLockTag(key: string): { readonly classid: string; readonly objid: string } {
  const unsigned = BigInt.asUintN(64, BigInt(key));
  return { classid: (unsigned >> 32n).toString(), objid: (unsigned & 0xffffffffn).toString() };
}
