// The target's disk fills up in the middle of a load: app.orders lives in a tablespace on a 200 kB
// tmpfs, so that the server fails a batch with "No space left on device" (SQLSTATE 53100), as a full
// disk would. It needs a server on this machine and the right to mount (root); elsewhere it is
// skipped, saying why. The run stops with `apply.batch-refused`, and once there is space the next
// apply loads the failed batch and the rest.

import { execFile } from 'node:child_process';
import { chown, mkdtemp, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { expectTablesAgree, REFERENCE_CHECKS } from '../support/checksums.js';
import { type CliResult, expectApplyFinished } from '../support/cli.js';
import { referenceWorkload, type Workload } from '../support/workload.js';
import { FaultProject } from './fault-project.js';

const run = promisify(execFile);

/** The suite server's data directory, when the server runs on this machine and says where it is. */
async function localDataDirectory(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  try {
    const { rows } = await client.query<{ data_directory: string }>('SHOW data_directory');
    const directory = rows[0]?.data_directory;
    return directory !== undefined && (await stat(directory).catch(() => undefined)) ? directory : undefined;
  } catch {
    return undefined;
  } finally {
    await client.end();
  }
}

/** A directory with a tmpfs of `size` mounted on it, or why there cannot be one here. */
async function mountTiny(size: string): Promise<{ directory: string } | { skipped: string }> {
  const directory = await mkdtemp(join(tmpdir(), 'ferry-full-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', directory]);
    return { directory };
  } catch (error) {
    await rmdir(directory);
    return { skipped: `cannot mount a tmpfs here (${(error as Error).message.split('\n')[0]})` };
  }
}

const dataDirectory = await localDataDirectory();
const tiny = dataDirectory
  ? await mountTiny('200k')
  : { skipped: 'the test server is not on this machine (its data directory is not visible)' };
if ('skipped' in tiny) console.log(`disk-full test skipped: ${tiny.skipped}`);

describe.skipIf('skipped' in tiny)('the target disk full in the middle of a load', () => {
  const directory = 'directory' in tiny ? tiny.directory : '';
  const tablespace = `ferry_full_${process.pid}`;
  let workload: Workload;
  let project: FaultProject;
  let full: CliResult;

  beforeAll(async () => {
    // The server's own user must own a tablespace's directory.
    const owner = await stat(dataDirectory as string);
    await chown(directory, owner.uid, owner.gid);
    workload = await referenceWorkload('fault_disk_full', '0.002');
    project = new FaultProject(workload, 'app');
    await project.setBatchSizes({ case_files: 200, orders: 400, case_file_tags: 400 });
    await workload.target.query(`CREATE TABLESPACE ${tablespace} LOCATION '${directory}'`);
    await workload.target.query(`ALTER TABLE app.orders SET TABLESPACE ${tablespace}`);
    full = await project.ferry(['apply']);
  }, 120_000);

  afterAll(async () => {
    await workload?.drop();
    const server = new pg.Client({ connectionString: inject('databaseUrl') });
    await server.connect();
    await server.query(`DROP TABLESPACE IF EXISTS ${tablespace}`).finally(() => server.end());
    await run('umount', [directory]);
    await rmdir(directory);
  });

  it('stops the run, keeping the batches that fit and no row of the one that did not', async () => {
    expect(full.exitCode).toBe(1);
    expect(full.stderr).toMatch(/could not extend file .*: No space left on device/);
    const batches = await project.batches('orders');
    const done = batches.filter((b) => b.status === 'done');
    expect(batches.filter((b) => b.status === 'failed')).toHaveLength(1);
    expect(done.length).toBeGreaterThan(0);
    expect(await project.count('target', 'app.orders')).toBe(done.reduce((sum, b) => sum + (b.rows ?? 0), 0));
    // The tables outside the full tablespace were loaded.
    expect(await project.phase('case_file_tags')).toBe('done');
  });

  it('says that the server refused the batch, with its SQLSTATE, not that ferry has a bug', () => {
    expect(full.stderr).toMatch(
      /error\[apply\.batch-refused\]: orders: batch \d+ was refused by the target server/,
    );
    expect(full.stderr).toContain('[SQLSTATE 53100]');
    expect(full.stderr).not.toContain('this is a bug in ferry');
  });

  it('the next apply, with space freed, loads the rest', async () => {
    await run('mount', ['-o', 'remount,size=16m', directory]);
    expectApplyFinished(await project.ferry(['apply']), 5);
    await expectTablesAgree(workload, REFERENCE_CHECKS);
  });
});
