// The run lock: one holder at a time per key, a clear `state.locked` for the other, and a lock that is
// released whatever the work does.

import { describe, expect, it, vi } from 'vitest';
import { runLockKey, runLockTag } from '../../src/state/advisory-locks.js';
import { withRunLock } from '../../src/state/run-lock.js';
import { stateDatabases } from './state-database.js';

const createDatabase = stateDatabases();

describe('withRunLock', () => {
  it('refuses a second holder with state.locked, naming the key and the holder', async () => {
    const database = await createDatabase('state_lock');
    const [holder, other] = [await database.connect(), await database.connect()];
    const [{ pid } = { pid: 0 }] = (await holder.query<{ pid: number }>('select pg_backend_pid() as pid'))
      .rows;

    const result = await withRunLock(holder, 'apply', async () => {
      const refused = withRunLock(other, 'apply', async () => 'never');
      await expect(refused).rejects.toMatchObject({ code: 'state.locked' });
      await expect(refused).rejects.toThrow(
        `another ferry run holds the lock "apply" on the target (backend pid ${pid}`,
      );
      return 'held';
    });

    expect(result).toBe('held');
    expect(await withRunLock(other, 'apply', async () => 'mine now')).toBe('mine now');
  });

  it('lets runs with different keys hold their locks at once', async () => {
    const database = await createDatabase('state_lock_keys');
    const [first, second] = [await database.connect(), await database.connect()];

    const both = await withRunLock(first, 'apply', () => withRunLock(second, 'rollback', async () => 'both'));

    expect(both).toBe('both');
  });

  it('releases the lock when the work throws, and passes the error on', async () => {
    const database = await createDatabase('state_lock_throw');
    const [holder, other] = [await database.connect(), await database.connect()];

    await expect(
      withRunLock(holder, 'apply', async () => {
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');

    expect(await withRunLock(other, 'apply', async () => 'free')).toBe('free');
  });

  it('releases the lock when the work leaves a failed transaction open', async () => {
    const database = await createDatabase('state_lock_aborted');
    const [holder, other] = [await database.connect(), await database.connect()];

    await expect(
      withRunLock(holder, 'apply', async () => {
        await holder.query('begin');
        await holder.query('select 1 / 0');
      }),
    ).rejects.toThrow(/division by zero/);

    expect(await withRunLock(other, 'apply', async () => 'free')).toBe('free');
    expect((await holder.query('select 1 as alive')).rows).toEqual([{ alive: 1 }]);
  });

  it('is released by the server when the holding connection ends', async () => {
    const database = await createDatabase('state_lock_gone');
    const [holder, other] = [await database.connect(), await database.connect()];
    let release: () => void = () => {};
    let started: () => void = () => {};
    const holding = new Promise<void>((resolve) => (started = resolve));
    const held = withRunLock(holder, 'apply', () => {
      started();
      return new Promise<void>((resolve) => (release = resolve));
    });
    await holding;
    await expect(withRunLock(other, 'apply', async () => {})).rejects.toMatchObject({ code: 'state.locked' });

    await holder.end();
    release();
    await held.catch(() => {});

    // The backend releases its locks as it exits, a moment after the socket closes.
    await vi.waitFor(async () => expect(await withRunLock(other, 'apply', async () => 'free')).toBe('free'));
  });
});

describe('runLockKey', () => {
  it('is a stable signed 64-bit key whose pg_locks tag splits it into two unsigned halves', () => {
    const key = runLockKey('apply');
    expect(runLockKey('apply')).toBe(key);
    expect(runLockKey('rollback')).not.toBe(key);
    const value = BigInt(key);
    expect(value >= -(2n ** 63n) && value < 2n ** 63n).toBe(true);
    const { classid, objid } = runLockTag(key);
    expect(BigInt.asIntN(64, (BigInt(classid) << 32n) | BigInt(objid))).toBe(value);
  });
});
