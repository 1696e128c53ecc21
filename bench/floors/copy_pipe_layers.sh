#!/usr/bin/env bash
# The reference floors, vendored from the shared reference bench: what it does is unchanged; only the
# path of legacy_target.sql follows this repository's layout (bench/workload/).
# Safe-mode baseline: constraints in place, tables of one dependency layer streamed in parallel with COPY.
set -euo pipefail
SRC=${SRC:-postgres://postgres:pw@127.0.0.1:5432/src}
DST=${DST:-postgres://postgres:pw@127.0.0.1:5432/dst}
psql -q "$DST" -f "$(dirname "$0")/../workload/legacy_target.sql" >/dev/null 2>&1
pipe() { psql -qX "$SRC" -c "\\copy ($1) to stdout" | psql -qX "$DST" -c "\\copy $2 from stdin"; }
pipe "select id, bracket_name, min_weight, max_weight, created_at from legacy.dispatch_bracket" "app.brackets(id,name,min_weight,max_weight,created_at)" &
pipe "select id, label from legacy.dispatch_tag" "app.tags(id,label)" &
wait
pipe "select id, case_number, bracket_id, status, opened_on, notes, is_active<>0 from legacy.dispatch_casefile" "app.case_files(id,case_number,bracket_id,status,opened_on,notes,active)"
pipe "select id, casefile_id, amount_cents/100.0, currency, placed_at from legacy.dispatch_order" "app.orders(id,case_file_id,amount,currency,placed_at)" &
pipe "select casefile_id, tag_id from legacy.dispatch_casefile_tags" "app.case_file_tags(case_file_id,tag_id)" &
wait
