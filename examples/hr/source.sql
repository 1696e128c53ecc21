-- Legacy HR database (schema legacy_hr): departments, jobs, employees with a self-referencing manager
-- column, and their job history. Deterministic: rebuilding it always yields the same rows.
DROP SCHEMA IF EXISTS legacy_hr CASCADE;
CREATE SCHEMA legacy_hr;

CREATE TABLE legacy_hr.tbl_dept (
  dept_no integer PRIMARY KEY,
  dept_nm varchar(40) NOT NULL,
  loc_cd char(3) NOT NULL,
  active_yn char(1) NOT NULL DEFAULT 'Y'
);

CREATE TABLE legacy_hr.tbl_job (
  job_cd varchar(8) PRIMARY KEY,
  job_title varchar(60) NOT NULL,
  min_sal numeric(9,2) NOT NULL,
  max_sal numeric(9,2) NOT NULL
);

-- emp_type: E = employee, C = contractor (contractors stay behind). status_cd: A = active,
-- L = on leave, T = terminated. Names were entered in capitals, e-mail addresses as typed.
CREATE TABLE legacy_hr.tbl_emp (
  emp_no integer PRIMARY KEY,
  first_nm varchar(30) NOT NULL,
  last_nm varchar(30) NOT NULL,
  email_addr varchar(80),
  hire_dt date NOT NULL,
  term_dt date,
  dept_no integer NOT NULL REFERENCES legacy_hr.tbl_dept (dept_no),
  job_cd varchar(8) NOT NULL REFERENCES legacy_hr.tbl_job (job_cd),
  mgr_emp_no integer REFERENCES legacy_hr.tbl_emp (emp_no),
  sal numeric(9,2) NOT NULL,
  status_cd char(1) NOT NULL,
  emp_type char(1) NOT NULL DEFAULT 'E',
  upd_ts timestamp NOT NULL DEFAULT '2024-01-01 00:00'
);

CREATE TABLE legacy_hr.tbl_job_history (
  emp_no integer NOT NULL REFERENCES legacy_hr.tbl_emp (emp_no),
  start_dt date NOT NULL,
  end_dt date NOT NULL,
  job_cd varchar(8) NOT NULL REFERENCES legacy_hr.tbl_job (job_cd),
  dept_no integer NOT NULL REFERENCES legacy_hr.tbl_dept (dept_no),
  PRIMARY KEY (emp_no, start_dt)
);

INSERT INTO legacy_hr.tbl_dept (dept_no, dept_nm, loc_cd, active_yn) VALUES
  (10, 'Executive Office', 'NYC', 'Y'),
  (20, 'Engineering', 'BER', 'Y'),
  (30, 'Sales', 'NYC', 'Y'),
  (40, 'Finance', 'LON', 'Y'),
  (50, 'People', 'LON', 'Y'),
  (60, 'Customer Support', 'BER', 'Y'),
  (70, 'Print Shop', 'NYC', 'N');

INSERT INTO legacy_hr.tbl_job (job_cd, job_title, min_sal, max_sal) VALUES
  ('EXEC', 'Chief Executive', 150000, 260000),
  ('MGR', 'Department Head', 90000, 160000),
  ('ENG', 'Software Engineer', 60000, 130000),
  ('SLS', 'Account Executive', 45000, 110000),
  ('FIN', 'Financial Analyst', 50000, 105000),
  ('HRG', 'HR Generalist', 45000, 90000),
  ('SUP', 'Support Specialist', 38000, 75000),
  ('TRN', 'Trainee', 30000, 45000);

-- 1001 runs the company, 1002-1006 head departments 20-60, 1007-1040 work in those departments
-- (from 1027 on they report to the colleague hired twenty numbers earlier).
INSERT INTO legacy_hr.tbl_emp
  (emp_no, first_nm, last_nm, hire_dt, term_dt, dept_no, job_cd, mgr_emp_no, sal, status_cd, emp_type)
SELECT
  g,
  (ARRAY['MARGARET', 'JAMES', 'AIKO', 'OLUWASEUN', 'PRIYA', 'LUCAS', 'SOFIA', 'MATEO', 'HANNAH', 'YUSUF',
         'CHLOE', 'DMITRI', 'INES', 'KWAME', 'LENA', 'RAFAEL', 'SIOBHAN', 'TOMAS', 'MEI', 'NOAH'])[1 + g % 20],
  (ARRAY['OKAFOR', 'LINDQVIST', 'TANAKA', 'MÜLLER', 'SANTOS', 'NOVAK', 'KOWALSKI', 'HAMMOND', 'DUBOIS',
         'ROSSI', 'PATEL', 'O''BRIEN', 'FISCHER', 'GARCIA', 'NGUYEN', 'BAKER', 'IVANOVA', 'MORENO', 'SILVA',
         'JENSEN', 'KHAN', 'WEBER', 'COSTA'])[1 + g % 23],
  date '2008-03-03' + (g - 1001) * 97,
  CASE WHEN g % 11 = 7 THEN date '2008-03-03' + (g - 1001) * 97 + 800 END,
  CASE WHEN g = 1001 THEN 10 WHEN g <= 1006 THEN 10 * (g - 1000) ELSE 20 + 10 * ((g - 1007) % 5) END,
  CASE WHEN g = 1001 THEN 'EXEC' WHEN g <= 1006 THEN 'MGR'
       ELSE (ARRAY['ENG', 'SLS', 'FIN', 'HRG', 'SUP'])[1 + (g - 1007) % 5] END,
  CASE WHEN g = 1001 THEN NULL WHEN g <= 1006 THEN 1001 WHEN g < 1027 THEN 1002 + (g - 1007) % 5 ELSE g - 20 END,
  CASE WHEN g = 1001 THEN 210000 WHEN g <= 1006 THEN 98000 + (g - 1001) * 4500
       ELSE (ARRAY[64000, 52000, 56000, 48000, 40000])[1 + (g - 1007) % 5] + (g % 17) * 1500 END,
  CASE WHEN g % 11 = 7 THEN 'T' WHEN g % 13 = 9 THEN 'L' ELSE 'A' END,
  'E'
FROM generate_series(1001, 1040) AS g;

-- Addresses as the old front end stored them: mixed case, some with stray blanks.
UPDATE legacy_hr.tbl_emp
SET email_addr = CASE WHEN emp_no % 4 = 0 THEN '  ' ELSE '' END
  || initcap(first_nm) || '.' || initcap(translate(last_nm, 'Ü''', 'U')) || '@Corp.Example'
  || CASE WHEN emp_no % 6 = 0 THEN ' ' ELSE '' END;

INSERT INTO legacy_hr.tbl_emp
  (emp_no, first_nm, last_nm, email_addr, hire_dt, dept_no, job_cd, mgr_emp_no, sal, status_cd, emp_type)
VALUES
  (5001, 'GRETA', 'HOLM', NULL, date '2023-02-01', 20, 'ENG', 1002, 95000, 'A', 'C'),
  (5002, 'VIKRAM', 'RAO', 'vikram.rao@contractor.example', date '2023-06-12', 30, 'SLS', 1003, 70000, 'A', 'C'),
  (5003, 'ELSA', 'BRANDT', NULL, date '2024-01-08', 60, 'SUP', 1006, 52000, 'T', 'C');

-- Department heads were promoted from a position in another department; every third employee
-- started as a trainee, and every ninth then spent a stint elsewhere before the current job.
INSERT INTO legacy_hr.tbl_job_history (emp_no, start_dt, end_dt, job_cd, dept_no)
SELECT emp_no, hire_dt, hire_dt + 420,
       CASE WHEN job_cd = 'MGR' THEN (ARRAY['ENG', 'SLS', 'FIN', 'HRG', 'SUP'])[1 + emp_no % 5] ELSE 'TRN' END,
       CASE WHEN job_cd = 'MGR' THEN 20 + 10 * (emp_no % 5) ELSE dept_no END
FROM legacy_hr.tbl_emp
WHERE emp_type = 'E' AND (job_cd = 'MGR' OR emp_no % 3 = 0);

INSERT INTO legacy_hr.tbl_job_history (emp_no, start_dt, end_dt, job_cd, dept_no)
SELECT emp_no, hire_dt + 420, hire_dt + 780,
       (ARRAY['ENG', 'SLS', 'FIN', 'HRG', 'SUP'])[1 + (emp_no + 1) % 5], 20 + 10 * ((emp_no + 1) % 5)
FROM legacy_hr.tbl_emp
WHERE emp_type = 'E' AND job_cd <> 'MGR' AND emp_no % 9 = 0;

-- Keyed in with the dates swapped or empty: not worth migrating.
INSERT INTO legacy_hr.tbl_job_history (emp_no, start_dt, end_dt, job_cd, dept_no) VALUES
  (1008, date '2016-05-01', date '2015-05-01', 'TRN', 20),
  (1014, date '2018-09-17', date '2018-09-17', 'TRN', 60),
  (1031, date '2020-02-10', date '2019-12-31', 'TRN', 40);

ANALYZE legacy_hr.tbl_dept, legacy_hr.tbl_job, legacy_hr.tbl_emp, legacy_hr.tbl_job_history;
