#!/usr/bin/env bash
# The reference floors, vendored unchanged from the shared reference bench (bench/run.ts names the source
# database in place of `legacy`).
# Bulk floor for a MySQL/MariaDB source: the same streams as mysql_pipe_layers.sh into bare tables, all five at once,
# then keys and foreign keys built (what pgloader does). MYSQL and DST as there.
set -euo pipefail
MYSQL=${MYSQL:--h 127.0.0.1 -u root}
DST=${DST:-postgres://postgres@127.0.0.1:5432/dst}
psql -qX "$DST" >/dev/null 2>&1 <<'SQL'
DROP SCHEMA IF EXISTS app CASCADE; CREATE SCHEMA app;
CREATE TABLE app.brackets (id integer NOT NULL, name text NOT NULL, min_weight numeric(10,2), max_weight numeric(10,2), created_at timestamptz NOT NULL);
CREATE TABLE app.tags (id integer NOT NULL, label text NOT NULL);
CREATE TABLE app.case_files (id bigint NOT NULL, case_number text NOT NULL, bracket_id integer, status text NOT NULL, opened_on date NOT NULL, notes text, active boolean NOT NULL);
CREATE TABLE app.orders (id bigint NOT NULL, case_file_id bigint NOT NULL, amount numeric(12,2) NOT NULL, currency char(3) NOT NULL, placed_at timestamptz NOT NULL);
CREATE TABLE app.case_file_tags (case_file_id bigint NOT NULL, tag_id integer NOT NULL);
SQL
pipe() { mariadb $MYSQL --quick -B -N legacy -e "$1" | psql -qX "$DST" -c "\\copy $2 from stdin with (null 'NULL')"; }
pipe "select id, bracket_name, min_weight, max_weight, created_at from dispatch_bracket" "app.brackets(id,name,min_weight,max_weight,created_at)" &
pipe "select id, label from dispatch_tag" "app.tags(id,label)" &
pipe "select id, case_number, bracket_id, status, opened_on, notes, is_active<>0 from dispatch_casefile" "app.case_files(id,case_number,bracket_id,status,opened_on,notes,active)" &
pipe "select id, casefile_id, amount_cents/100, currency, placed_at from dispatch_order" "app.orders(id,case_file_id,amount,currency,placed_at)" &
pipe "select casefile_id, tag_id from dispatch_casefile_tags" "app.case_file_tags(case_file_id,tag_id)" &
wait
psql -qX -v ON_ERROR_STOP=1 "$DST" >/dev/null <<'SQL'
ALTER TABLE app.brackets ADD PRIMARY KEY (id); ALTER TABLE app.tags ADD PRIMARY KEY (id), ADD UNIQUE (label);
ALTER TABLE app.case_files ADD PRIMARY KEY (id), ADD UNIQUE (case_number); ALTER TABLE app.orders ADD PRIMARY KEY (id);
ALTER TABLE app.case_file_tags ADD PRIMARY KEY (case_file_id, tag_id);
ALTER TABLE app.case_files ADD FOREIGN KEY (bracket_id) REFERENCES app.brackets(id);
ALTER TABLE app.orders ADD FOREIGN KEY (case_file_id) REFERENCES app.case_files(id);
ALTER TABLE app.case_file_tags ADD FOREIGN KEY (case_file_id) REFERENCES app.case_files(id), ADD FOREIGN KEY (tag_id) REFERENCES app.tags(id);
SQL
