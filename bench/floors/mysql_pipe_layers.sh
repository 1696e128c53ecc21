#!/usr/bin/env bash
# The reference floors, vendored from the shared reference bench: what it does is unchanged; only the
# path of legacy_target.sql follows this repository's layout (bench/workload/), and bench/run.ts names the
# source database in place of `legacy`.
# Safe-mode floor for a MySQL/MariaDB source: each table streamed by the mariadb client (tab-separated, escaped)
# into COPY … FROM STDIN, constraints live in the target, the tables of one dependency layer in parallel.
# MYSQL: mariadb client options for the source (default: -h 127.0.0.1 -u root); the source database is `legacy`.
set -euo pipefail
MYSQL=${MYSQL:--h 127.0.0.1 -u root}
DST=${DST:-postgres://postgres@127.0.0.1:5432/dst}
psql -q "$DST" -f "$(dirname "$0")/../workload/legacy_target.sql" >/dev/null 2>&1
# --quick streams rows; -B -N prints them tab-separated with \t \n \\ escaped and NULL as the word NULL
pipe() { mariadb $MYSQL --quick -B -N legacy -e "$1" | psql -qX "$DST" -c "\\copy $2 from stdin with (null 'NULL')"; }
pipe "select id, bracket_name, min_weight, max_weight, created_at from dispatch_bracket" "app.brackets(id,name,min_weight,max_weight,created_at)" &
pipe "select id, label from dispatch_tag" "app.tags(id,label)" &
wait
pipe "select id, case_number, bracket_id, status, opened_on, notes, is_active<>0 from dispatch_casefile" "app.case_files(id,case_number,bracket_id,status,opened_on,notes,active)"
pipe "select id, casefile_id, amount_cents/100, currency, placed_at from dispatch_order" "app.orders(id,case_file_id,amount,currency,placed_at)" &
pipe "select casefile_id, tag_id from dispatch_casefile_tags" "app.case_file_tags(case_file_id,tag_id)" &
wait
