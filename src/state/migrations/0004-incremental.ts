// Version 4 of the `_ferry` schema: incremental apply by a cursor column (`incremental: { cursor }`).
// A refresh batch writes again the rows of its key range whose cursor lies in (cursor_low,
// cursor_high]; a load batch has no cursor bounds. The migration's cursor_mark is the cursor value up
// to which changed rows are recorded in batches: the next apply looks for changes beyond it.

export const INCREMENTAL_STATE_SQL = `
alter table _ferry.migration_batches add column if not exists cursor_low text;
alter table _ferry.migration_batches add column if not exists cursor_high text;
-- Rows a refresh batch updated in place; its rows column counts the ones it inserted.
alter table _ferry.migration_batches add column if not exists updated bigint not null default 0;
alter table _ferry.migration_control add column if not exists cursor_mark text;
`;
