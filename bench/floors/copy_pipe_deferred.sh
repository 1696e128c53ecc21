#!/usr/bin/env bash
# The reference floors, vendored unchanged from the shared reference bench.
# Physical-limit baseline, index-deferred: COPY into bare tables, then build PKs/uniques/FKs (what pgloader does).
set -euo pipefail
SRC=${SRC:-postgres://postgres:pw@127.0.0.1:5432/src}
DST=${DST:-postgres://postgres:pw@127.0.0.1:5432/dst}
psql -qX "$DST" >/dev/null 2>&1 <<'SQL'
DROP SCHEMA IF EXISTS app CASCADE; CREATE SCHEMA app;
CREATE TABLE app.brackets (id integer NOT NULL, name text NOT NULL, min_weight numeric(10,2), max_weight numeric(10,2), created_at timestamptz NOT NULL);
CREATE TABLE app.tags (id integer NOT NULL, label text NOT NULL);
CREATE TABLE app.case_files (id bigint NOT NULL, case_number text NOT NULL, bracket_id integer, status text NOT NULL, opened_on date NOT NULL, notes text, active boolean NOT NULL);
CREATE TABLE app.orders (id bigint NOT NULL, case_file_id bigint NOT NULL, amount numeric(12,2) NOT NULL, currency char(3) NOT NULL, placed_at timestamptz NOT NULL);
CREATE TABLE app.case_file_tags (case_file_id bigint NOT NULL, tag_id integer NOT NULL);
SQL
pipe() { psql -qX "$SRC" -c "\\copy ($1) to stdout" | psql -qX "$DST" -c "\\copy $2 from stdin"; }
pipe "select id, bracket_name, min_weight, max_weight, created_at from legacy.dispatch_bracket" "app.brackets(id,name,min_weight,max_weight,created_at)" &
pipe "select id, label from legacy.dispatch_tag" "app.tags(id,label)" &
pipe "select id, case_number, bracket_id, status, opened_on, notes, is_active<>0 from legacy.dispatch_casefile" "app.case_files(id,case_number,bracket_id,status,opened_on,notes,active)" &
pipe "select id, casefile_id, amount_cents/100.0, currency, placed_at from legacy.dispatch_order" "app.orders(id,case_file_id,amount,currency,placed_at)" &
pipe "select casefile_id, tag_id from legacy.dispatch_casefile_tags" "app.case_file_tags(case_file_id,tag_id)" &
wait
psql -qX "$DST" >/dev/null <<'SQL'
ALTER TABLE app.brackets ADD PRIMARY KEY (id); ALTER TABLE app.tags ADD PRIMARY KEY (id), ADD UNIQUE (label);
ALTER TABLE app.case_files ADD PRIMARY KEY (id), ADD UNIQUE (case_number); ALTER TABLE app.orders ADD PRIMARY KEY (id);
ALTER TABLE app.case_file_tags ADD PRIMARY KEY (case_file_id, tag_id);
ALTER TABLE app.case_files ADD FOREIGN KEY (bracket_id) REFERENCES app.brackets(id);
ALTER TABLE app.orders ADD FOREIGN KEY (case_file_id) REFERENCES app.case_files(id);
ALTER TABLE app.case_file_tags ADD FOREIGN KEY (case_file_id) REFERENCES app.case_files(id), ADD FOREIGN KEY (tag_id) REFERENCES app.tags(id);
SQL
