-- The new HR schema (schema hr) the legacy_hr tables are migrated into.
DROP SCHEMA IF EXISTS hr CASCADE;
CREATE SCHEMA hr;

CREATE TABLE hr.departments (
  id integer PRIMARY KEY,
  name text NOT NULL UNIQUE,
  location text NOT NULL,
  active boolean NOT NULL DEFAULT true
);

CREATE TABLE hr.jobs (
  code text PRIMARY KEY CHECK (code ~ '^[A-Z]{2,8}$'),
  title text NOT NULL UNIQUE,
  min_salary numeric(10,2) NOT NULL CHECK (min_salary > 0),
  max_salary numeric(10,2) NOT NULL,
  CHECK (min_salary <= max_salary)
);

-- manager_id is nullable: the chief executive has no manager, and the column is filled in after
-- every employee is loaded.
CREATE TABLE hr.employees (
  id integer PRIMARY KEY,
  first_name text NOT NULL,
  last_name text NOT NULL,
  display_name text NOT NULL,
  email text NOT NULL UNIQUE CHECK (email = lower(email) AND email LIKE '%_@_%'),
  hired_on date NOT NULL,
  terminated_on date,
  department_id integer NOT NULL REFERENCES hr.departments (id),
  job_code text NOT NULL REFERENCES hr.jobs (code),
  manager_id integer REFERENCES hr.employees (id),
  salary numeric(10,2) NOT NULL CHECK (salary > 0),
  status text NOT NULL CHECK (status IN ('active', 'on_leave', 'terminated')),
  CHECK (manager_id <> id),
  CHECK ((status = 'terminated') = (terminated_on IS NOT NULL)),
  CHECK (terminated_on >= hired_on)
);
CREATE INDEX employees_manager_id_idx ON hr.employees (manager_id);
CREATE INDEX employees_department_id_idx ON hr.employees (department_id);

CREATE TABLE hr.job_history (
  employee_id integer NOT NULL REFERENCES hr.employees (id),
  started_on date NOT NULL,
  ended_on date NOT NULL,
  job_code text NOT NULL REFERENCES hr.jobs (code),
  department_id integer NOT NULL REFERENCES hr.departments (id),
  PRIMARY KEY (employee_id, started_on),
  CHECK (ended_on > started_on)
);
