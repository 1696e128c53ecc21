// Where a `keys: preserve` migration's source batch key lands in the target: per key column, the
// target column that holds its value unchanged, or holds a parent's generated key that the parent's
// key mapping translates back. Rollback finds the migration's rows by these, range by range.

import type { Catalog, CatalogColumn } from '../catalog/types.js';
import type { MigrationNode, Plan } from '../compiler/plan.js';
import { errorDiagnostic, FerryError } from '../errors.js';
import { type BatchLayout, batchLayout, type LayoutColumn } from '../runner/batch-layout.js';
import { writtenColumns } from '../runner/batch-sql.js';
import type { QualifiedName } from '../spec/types.js';
import { quoteQualifiedName } from '../util/sql.js';

/** What a batch bound is compared with: the column's name and the type the bound is cast to. */
export interface ComparedColumn {
  readonly name: string;
  readonly type: string;
}

export type KeyCarrier =
  | {
      /** Written from the key column as is (directly, or through a ref to a parent that kept its keys). */
      readonly kind: 'column';
      readonly target: ComparedColumn;
    }
  | {
      /** A ref to a parent that generated its keys: the parent's mapping gives the source key back. */
      readonly kind: 'mapping';
      readonly target: string;
      readonly mappingTable: QualifiedName;
      /** The type of the mapping's `source_key_1`: the parent's source key's. */
      readonly sourceKey: ComparedColumn;
    };

export interface PreserveLayout {
  /** The source table's batch key, in key order. */
  readonly sourceKey: readonly CatalogColumn[];
  /** One per source key column, in key order. */
  readonly carriers: readonly KeyCarrier[];
}

/**
 * The carriers of `migration`'s batch key, from the layout apply writes its batches with (the target
 * columns' types as the target catalog has them). Throws `rollback.unsupported` when a key column
 * reaches the target only through an expression, or not at all: its rows cannot be told from others.
 *
 * @example
 * preserveLayout(caseFileTags, { plan, source, target }).carriers.map((c) => c.kind); // ['column', 'column']
 */
export function preserveLayout(
  migration: MigrationNode,
  context: { readonly plan: Plan; readonly source: Catalog; readonly target: Catalog },
): PreserveLayout {
  const layout = batchLayout(migration, context);
  const carriers = layout.sourceKey.map((key) => {
    const carrier = carrierOf(migration, layout, key);
    if (carrier) return carrier;
    throw notCarried(migration, key);
  });
  return { sourceKey: layout.sourceKey, carriers };
}

/** Prefers a column written as is over one translated through a parent's mapping. */
function carrierOf(
  migration: MigrationNode,
  layout: BatchLayout,
  key: CatalogColumn,
): KeyCarrier | undefined {
  const planned = writtenColumns(migration);
  // layout.columns follow writtenColumns one for one.
  const carriers = layout.columns.flatMap((column, index) => {
    const plan = planned[index];
    if (plan?.from !== key.name || plan.expr !== undefined || column.fixup) return [];
    return [carrierFor(column)];
  });
  return carriers.find((c) => c.kind === 'column') ?? carriers[0];
}

function carrierFor(column: LayoutColumn): KeyCarrier {
  // A layout column's type is the target column's, or for a translated ref the parent's source key's.
  if (column.ref?.kind === 'mapping') {
    return {
      kind: 'mapping',
      target: column.target,
      mappingTable: column.ref.table,
      sourceKey: { name: column.target, type: column.type },
    };
  }
  return { kind: 'column', target: { name: column.target, type: column.type } };
}

function notCarried(migration: MigrationNode, key: CatalogColumn): FerryError {
  const computed = writtenColumns(migration).filter((c) => c.expr?.includes(key.name));
  const how =
    computed.length > 0
      ? `reaches ${quoteQualifiedName(migration.to)} only through an expression (${computed.map((c) => `${c.target}: ${c.expr}`).join('; ')})`
      : `is not written to any column of ${quoteQualifiedName(migration.to)} as it is`;
  return new FerryError(
    errorDiagnostic(
      'rollback.unsupported',
      `\`${migration.name}\` keeps its source keys, but its batch key column ${key.name} ${how}: ferry cannot tell the rows it wrote from other rows by key`,
      {
        hint: `map ${key.name} one-to-one to a target column (\`from: ${key.name}\`, no expr) and run \`ferry plan\` before rolling back, or leave \`${migration.name}\` out (--exclude ${migration.name}) and delete its rows yourself`,
        location: migration.location,
      },
    ),
  );
}
