-- The ID-remap variant of bench/workload/legacy_target.sql: app.case_files.id is an identity column, so
-- case files get new keys (specs with bench/id-remap/case_files.yaml); everything else is the same.
-- The keys start far from the legacy ones, so that a ref left untranslated cannot pass the checks by
-- coincidence (from 1 they would equal the legacy keys, which run from 1 in the same order).
DROP SCHEMA IF EXISTS app CASCADE;
CREATE SCHEMA app;
CREATE TABLE app.brackets (id integer PRIMARY KEY, name text NOT NULL, min_weight numeric(10,2), max_weight numeric(10,2), created_at timestamptz NOT NULL);
CREATE TABLE app.tags (id integer PRIMARY KEY, label text NOT NULL UNIQUE);
CREATE TABLE app.case_files (id bigint GENERATED ALWAYS AS IDENTITY (START WITH 1000000001) PRIMARY KEY, case_number text NOT NULL UNIQUE, bracket_id integer REFERENCES app.brackets(id),
  status text NOT NULL, opened_on date NOT NULL, notes text, active boolean NOT NULL);
CREATE TABLE app.orders (id bigint PRIMARY KEY, case_file_id bigint NOT NULL REFERENCES app.case_files(id), amount numeric(12,2) NOT NULL,
  currency char(3) NOT NULL, placed_at timestamptz NOT NULL);
CREATE TABLE app.case_file_tags (case_file_id bigint NOT NULL REFERENCES app.case_files(id), tag_id integer NOT NULL REFERENCES app.tags(id),
  PRIMARY KEY (case_file_id, tag_id));
