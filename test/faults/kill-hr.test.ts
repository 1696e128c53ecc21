// SIGKILL, then resume, on the HR example: employees.manager_id points into its own table, so it is
// loaded as NULL and filled in by a fix-up step once every employee is there. A kill between the
// fix-up's UPDATE and its COMMIT, or anywhere in the batches before it, must end with every manager
// set exactly as in the source.

import { describe, expect, it } from 'vitest';
import { type Checks, expectTablesAgree } from '../support/checksums.js';
import { buildWorkload, HR_FILES } from '../support/workload.js';
import {
  committedLine,
  type FaultProject,
  type KillPoint,
  type KillScene,
  killThenResume,
  withFaultProject,
} from './fault-project.js';

const CHECKS: Checks = {
  departments: [
    `SELECT dept_no, dept_nm,
            CASE loc_cd WHEN 'NYC' THEN 'New York' WHEN 'BER' THEN 'Berlin' WHEN 'LON' THEN 'London' ELSE loc_cd END,
            active_yn = 'Y'
       FROM legacy_hr.tbl_dept`,
    `SELECT id, name, location, active FROM hr.departments`,
  ],
  jobs: [
    `SELECT job_cd, job_title, min_sal, max_sal FROM legacy_hr.tbl_job`,
    `SELECT code, title, min_salary, max_salary FROM hr.jobs`,
  ],
  employees: [
    `SELECT emp_no, initcap(first_nm), initcap(last_nm), initcap(first_nm) || ' ' || initcap(last_nm),
            lower(trim(email_addr)), hire_dt, term_dt, dept_no, job_cd, mgr_emp_no, sal,
            CASE status_cd WHEN 'A' THEN 'active' WHEN 'L' THEN 'on_leave' WHEN 'T' THEN 'terminated' END
       FROM legacy_hr.tbl_emp WHERE emp_type = 'E'`,
    `SELECT id, first_name, last_name, display_name, email, hired_on, terminated_on, department_id, job_code,
            manager_id, salary, status
       FROM hr.employees`,
  ],
  job_history: [
    `SELECT emp_no, start_dt, end_dt, job_cd, dept_no FROM legacy_hr.tbl_job_history WHERE end_dt > start_dt`,
    `SELECT employee_id, started_on, ended_on, job_code, department_id FROM hr.job_history`,
  ],
};

/** The HR example of its own for each test, so that the tests run side by side. */
async function withHr(work: (project: FaultProject, scene: KillScene) => Promise<void>): Promise<void> {
  await withFaultProject(await buildWorkload('fault_hr', HR_FILES), 'hr', async (project) => {
    await project.setBatchSizes({ employees: 7, job_history: 5 });
    await work(project, {
      tables: {
        employees: { table: 'hr.employees', batches: 6 },
        job_history: { table: 'hr.job_history', batches: 4 },
      },
      migrations: 4,
      verify: () => expectTablesAgree(project.workload, CHECKS),
    });
  });
}

function managersSet(project: FaultProject): Promise<number> {
  return project.count('target', 'hr.employees WHERE manager_id IS NOT NULL');
}

describe.concurrent('SIGKILL and resume around a fix-up step (hr)', () => {
  it(
    'killed between the fix-up UPDATE and its COMMIT: the resumed run fills in every manager',
    () =>
      withHr(async (project, scene) => {
        const kill: KillPoint = { point: 'fixup-updated', migration: 'employees' };
        const resumed = await killThenResume(project, scene, kill, async () => {
          expect(await project.phase('employees')).toBe('fixup');
          expect((await project.batches('employees')).map((b) => b.status)).toEqual(Array(6).fill('done'));
          expect(await project.count('target', 'hr.employees')).toBe(40);
          // The UPDATE died with its transaction; the 39 managers wait where the batches set them aside.
          expect(await managersSet(project)).toBe(0);
          expect(await project.count('target', '_ferry.fixup_employees')).toBe(39);
        });
        expect(resumed.stdout).not.toContain('committed');
        expect(resumed.stdout).toContain('✓ employees: 40 rows');
        expect(await managersSet(project)).toBe(39);
        expect(await project.count('target', '_ferry.fixup_employees')).toBe(0);
      }),
    60_000,
  );

  it(
    'killed in the employees batches before the fix-up, and in job history after them',
    () =>
      withHr(async (project, scene) => {
        await killThenResume(project, scene, { point: 'migration-prepared', migration: 'employees' });
        await killThenResume(
          project,
          scene,
          { point: 'batch-loaded', migration: 'employees', hit: 2 },
          async () => expect(await managersSet(project)).toBe(0),
        );
        const last = await killThenResume(
          project,
          scene,
          { point: 'batch-committed', migration: 'employees', hit: 6 },
          async () => {
            expect(await project.phase('employees')).toBe('loading');
            expect(await project.count('target', 'hr.employees')).toBe(40);
            expect(await managersSet(project)).toBe(0);
          },
        );
        expect(last.stdout).not.toMatch(committedLine('employees', 6));
        expect(last.stdout).toContain('✓ employees: 40 rows');
        await killThenResume(project, scene, { point: 'batch-completed', migration: 'job_history', hit: 2 });
      }),
    120_000,
  );
});
