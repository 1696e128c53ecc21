// Version 3 of the `_ferry` schema: what each batch left out, beside what it loaded. onOrphan skip
// drops rows whose parent was not migrated, and onError reject sets bad rows aside; both are counted,
// so status and verify can account for every source row.

export const BATCH_OUTCOMES_SQL = `
alter table _ferry.migration_batches add column if not exists skipped bigint not null default 0;
alter table _ferry.migration_batches add column if not exists rejected bigint not null default 0;
`;
