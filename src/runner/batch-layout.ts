// How one migration's batches reach the target. Most go straight from the source's COPY into the
// target table. A migration that generates keys, translates refs, honours onOrphan or fills columns in
// after the load goes through a staging table instead: its rows are COPYed into a temporary table and
// written from there with set-based SQL that joins the parents' key mappings on the target.

import { createHash } from 'node:crypto';
import type { Catalog, CatalogColumn, CatalogTable } from '../catalog/types.js';
import { findTable } from '../compiler/catalog-checks.js';
import type { MigrationNode, Plan } from '../compiler/plan.js';
import { errorDiagnostic, FerryError } from '../errors.js';
import type { PassThroughColumn } from '../source/reader.js';
import type { OnOrphan, QualifiedName } from '../spec/types.js';
import { quoteIdentifier, quoteLiteral, quoteQualifiedName } from '../util/sql.js';
import { batchKeyColumns, sourceValue, writtenColumns } from './batch-sql.js';
import { passThroughColumns } from './pass-through.js';

/** How a ref's source value becomes the target's value, and how a missing parent row is found. */
export type RefTranslation =
  | {
      /** The parent generated its keys: joined through its key mapping, source key → target key. */
      readonly kind: 'mapping';
      readonly parent: string;
      readonly table: QualifiedName;
    }
  | {
      /** The parent kept its keys: the value stays, and the parent's target rows say if it exists. */
      readonly kind: 'rows';
      readonly parent: string;
      readonly table: QualifiedName;
      readonly column: string;
    };

export interface LayoutColumn {
  /** The staging table's column: `c1`, `c2`, … (positional, so no source name can collide). */
  readonly stage: string;
  readonly target: string;
  /** The staged value's type: the target column's, or for a translated ref the parent's source key's. */
  readonly type: string;
  /** SQL over the source table that yields the value. */
  readonly source: string;
  readonly ref?: RefTranslation;
  /** Loaded as NULL and filled in after the table (and the parent) are loaded. */
  readonly fixup: boolean;
}

export interface GeneratedKey {
  readonly column: string;
  readonly type: string;
  /** SQL that yields the next key, evaluated once per staged row. */
  readonly next: string;
  /** An identity column: written with OVERRIDING SYSTEM VALUE. */
  readonly identity: boolean;
}

export interface BatchLayout {
  readonly migration: MigrationNode;
  /** The source table; for a MySQL source, its columns in the PostgreSQL types they are staged in. */
  readonly sourceTable: CatalogTable;
  /**
   * The relation source-side SQL reads: the source table itself, or for a MySQL source the temporary
   * table each range is staged in (see source/reader.ts).
   */
  readonly sourceRelation: string;
  /** The source's batch key: it identifies a source row in key mappings, rejects and pauses. */
  readonly sourceKey: readonly CatalogColumn[];
  readonly mode: 'direct' | 'staged';
  /**
   * The migration's onOrphan; `skip` in a dry run's sample (--limit), where a parent row beyond the
   * limit is not a fault of the data.
   */
  readonly onOrphan: OnOrphan;
  /** The written target columns, in the order the source SELECT yields them. */
  readonly columns: readonly LayoutColumn[];
  /**
   * Direct layouts whose every value is one source column as it is: the source column of each
   * target column, for readers that can COPY a range straight into the target (see pass-through.ts).
   */
  readonly passThrough?: readonly PassThroughColumn[];
  /** keys: generate. */
  readonly generatedKey?: GeneratedKey;
  /**
   * The INSERTs of the staged path say OVERRIDING SYSTEM VALUE: a generated identity key, or kept
   * values written into a GENERATED ALWAYS identity column (COPY writes those without being told).
   */
  readonly overridingSystemValue: boolean;
  /** Where this migration's source keys map to target keys (keys: generate). */
  readonly mappingTable?: QualifiedName;
  /** The target's primary key, as fix-ups find rows by it (fix-up migrations only). */
  readonly targetKey: readonly { readonly column: string; readonly type: string; readonly stage: string }[];
  /** Where the values of fix-up columns wait for the fix-up step. */
  readonly fixupTable?: QualifiedName;
  /** incremental: { cursor }: the source column whose growth marks a changed row. */
  readonly cursor?: CatalogColumn;
  /**
   * The target's primary key, which a refresh of kept keys upserts on (incremental with keys:
   * preserve); generated keys find their rows through the key mapping instead.
   */
  readonly conflictKey?: readonly string[];
}

/**
 * The `_ferry` table of one migration's key mapping or fix-up values: `<kind>_<migration>`, cut and
 * suffixed with a hash where that would pass PostgreSQL's 63-byte limit.
 *
 * @example
 * stateTableName('keymap', 'customers'); // → { schema: '_ferry', name: 'keymap_customers' }
 */
export function stateTableName(kind: 'keymap' | 'fixup', migration: string): QualifiedName {
  const name = `${kind}_${migration}`;
  if (name.length <= 63) return { schema: '_ferry', name };
  const hash = createHash('sha256').update(migration).digest('hex').slice(0, 8);
  return { schema: '_ferry', name: `${name.slice(0, 54)}_${hash}` };
}

export interface LayoutContext {
  readonly plan: Plan;
  readonly source: Catalog;
  readonly target: Catalog;
  /** A dry run over the first rows of each table only (--limit). */
  readonly sample?: boolean;
  /** Where a migration's source rows are read in SQL; the source table itself when absent. */
  readonly sourceRelation?: (migration: MigrationNode) => string;
}

/**
 * Decides how `migration`'s batches are written. Throws `apply.unsupported` for what cannot be moved
 * set-based (a generated key that is not one column with a default, a ref to a composite key).
 */
export function batchLayout(migration: MigrationNode, context: LayoutContext): BatchLayout {
  const sourceTable = requireTable(context.source, migration.from, migration);
  const targetTable = requireTable(context.target, migration.to, migration);
  if ((migration.batch.key ?? sourceTable.primaryKey ?? []).length === 0) {
    throw new FerryError(
      errorDiagnostic(
        'apply.no-key',
        `${quoteQualifiedName(migration.from)} has no primary key to cut \`${migration.name}\` into batches`,
        {
          hint: 'add batch: { key: [column, …] } to the spec, naming unique NOT NULL source columns',
          location: migration.location,
        },
      ),
    );
  }
  const sourceKey = batchKeyColumns(migration, sourceTable);
  const byName = new Map(context.plan.migrations.map((m) => [m.name, m]));
  const onOrphan: OnOrphan = context.sample ? 'skip' : migration.onOrphan;
  const columns = writtenColumns(migration).map((column, index): LayoutColumn => {
    const targetColumn = requireColumn(targetTable, column.target, migration);
    const parent = column.ref === undefined ? undefined : byName.get(column.ref);
    const ref = parent ? refTranslation(migration, column.target, parent, targetTable, context) : undefined;
    return {
      stage: `c${index + 1}`,
      target: column.target,
      type: ref?.kind === 'mapping' ? parentKeyType(parent as MigrationNode, context) : targetColumn.type,
      source: sourceValue(migration, column),
      ...(ref ? { ref } : {}),
      fixup: migration.fixups.includes(column.target),
    };
  });
  const generatedKey = migration.keys === 'generate' ? generated(migration, targetTable) : undefined;
  const writesIdentity = columns.some(
    (c) => targetTable.columns.find((t) => t.name === c.target)?.identity === 'always',
  );
  const staged =
    generatedKey !== undefined ||
    columns.some((c) => c.fixup || (c.ref && needsStaging(onOrphan, c.ref, c.target, targetTable)));
  const targetKey =
    migration.fixups.length > 0 ? fixupKey(migration, targetTable, columns, generatedKey) : [];
  const cursor = migration.incremental
    ? requireSourceColumn(sourceTable, migration.incremental.cursor, migration)
    : undefined;
  const passThrough = staged ? undefined : passThroughColumns(migration, sourceTable, targetTable);
  return {
    migration,
    sourceTable,
    sourceRelation: context.sourceRelation?.(migration) ?? quoteQualifiedName(migration.from),
    sourceKey,
    mode: staged ? 'staged' : 'direct',
    onOrphan,
    columns,
    ...(passThrough ? { passThrough } : {}),
    ...(generatedKey ? { generatedKey, mappingTable: stateTableName('keymap', migration.name) } : {}),
    overridingSystemValue: generatedKey?.identity === true || writesIdentity,
    targetKey,
    ...(migration.fixups.length > 0 ? { fixupTable: stateTableName('fixup', migration.name) } : {}),
    ...(cursor ? { cursor } : {}),
    ...(cursor && !generatedKey ? { conflictKey: conflictKey(migration, targetTable, columns) } : {}),
  };
}

/** The columns a refresh upserts on: the target's primary key, every column of it written by the spec. */
function conflictKey(
  migration: MigrationNode,
  targetTable: CatalogTable,
  columns: readonly LayoutColumn[],
): readonly string[] {
  const key = targetTable.primaryKey ?? [];
  const unwritten = key.filter((name) => !columns.some((c) => c.target === name && !c.fixup));
  if (key.length === 0 || unwritten.length > 0) {
    throw unsupported(
      migration,
      key.length === 0
        ? `incremental needs a primary key on ${quoteQualifiedName(migration.to)} to find the rows it writes again`
        : `incremental needs the primary key column(s) ${unwritten.join(', ')} of ${quoteQualifiedName(migration.to)} mapped from the source`,
    );
  }
  return key;
}

function requireSourceColumn(table: CatalogTable, name: string, migration: MigrationNode): CatalogColumn {
  const column = table.columns.find((c) => c.name === name);
  if (!column) throw new Error(`${migration.name}: source column ${name} vanished after planning`);
  return column;
}

/**
 * A ref to a parent that kept its keys, with onOrphan fail, can stay on the direct path when the
 * target's own foreign key on that column checks it: the key's violation pauses like any other.
 */
function needsStaging(
  onOrphan: OnOrphan,
  ref: RefTranslation,
  column: string,
  targetTable: CatalogTable,
): boolean {
  if (ref.kind === 'mapping' || onOrphan !== 'fail') return true;
  return !targetTable.foreignKeys.some(
    (fk) =>
      fk.columns.length === 1 &&
      fk.columns[0] === column &&
      fk.referencedSchema === ref.table.schema &&
      fk.referencedTable === ref.table.name,
  );
}

function refTranslation(
  migration: MigrationNode,
  column: string,
  parent: MigrationNode,
  targetTable: CatalogTable,
  context: LayoutContext,
): RefTranslation {
  if (parent.keys === 'generate') {
    return { kind: 'mapping', parent: parent.name, table: stateTableName('keymap', parent.name) };
  }
  // The target's foreign key names the parent column; without one, the parent's primary key.
  const fk = targetTable.foreignKeys.find(
    (candidate) =>
      candidate.columns.length === 1 &&
      candidate.columns[0] === column &&
      candidate.referencedSchema === parent.to.schema &&
      candidate.referencedTable === parent.to.name,
  );
  const parentTable = requireTable(context.target, parent.to, parent);
  const referenced = fk?.referencedColumns[0] ?? singleKey(parentTable.primaryKey);
  if (referenced === undefined) {
    throw unsupported(
      migration,
      `${column} refs \`${parent.name}\`, whose target ${quoteQualifiedName(parent.to)} has no one-column primary key to look its rows up by`,
    );
  }
  return { kind: 'rows', parent: parent.name, table: parent.to, column: referenced };
}

function parentKeyType(parent: MigrationNode, context: LayoutContext): string {
  const key = batchKeyColumns(parent, requireTable(context.source, parent.from, parent));
  const only = key.length === 1 ? key[0] : undefined;
  if (!only) {
    throw unsupported(
      parent,
      `its source key (${key.map((c) => c.name).join(', ')}) has ${key.length} columns; a ref translates through one`,
    );
  }
  return only.type;
}

function generated(migration: MigrationNode, targetTable: CatalogTable): GeneratedKey {
  const name = singleKey(targetTable.primaryKey);
  const column = name === undefined ? undefined : targetTable.columns.find((c) => c.name === name);
  if (!column) {
    throw unsupported(
      migration,
      `keys: generate needs a one-column primary key on ${quoteQualifiedName(migration.to)}`,
    );
  }
  if (column.identity) {
    const sequence = `pg_get_serial_sequence(${quoteLiteral(quoteQualifiedName(migration.to))}, ${quoteLiteral(column.name)})`;
    return { column: column.name, type: column.type, next: `nextval(${sequence})`, identity: true };
  }
  // The default as the server printed it (e.g. nextval('app.x_id_seq'::regclass), gen_random_uuid()).
  if (column.default !== undefined) {
    return { column: column.name, type: column.type, next: column.default, identity: false };
  }
  throw unsupported(
    migration,
    `keys: generate needs ${quoteQualifiedName(migration.to)}.${quoteIdentifier(column.name)} to be an identity column or to have a default`,
  );
}

/** Fix-ups find each loaded row again by the target's primary key, generated or mapped. */
function fixupKey(
  migration: MigrationNode,
  targetTable: CatalogTable,
  columns: readonly LayoutColumn[],
  generatedKey: GeneratedKey | undefined,
): BatchLayout['targetKey'] {
  const key = targetTable.primaryKey ?? [];
  if (key.length === 0) {
    throw unsupported(migration, `fix-up columns need a primary key on ${quoteQualifiedName(migration.to)}`);
  }
  return key.map((name) => {
    if (generatedKey?.column === name) return { column: name, type: generatedKey.type, stage: 'new_key' };
    const written = columns.find((c) => c.target === name && !c.ref && !c.fixup);
    if (!written) {
      throw unsupported(
        migration,
        `fix-up columns need the primary key column ${name} of ${quoteQualifiedName(migration.to)} mapped from the source`,
      );
    }
    return { column: name, type: written.type, stage: written.stage };
  });
}

function singleKey(key: readonly string[] | undefined): string | undefined {
  return key?.length === 1 ? key[0] : undefined;
}

function requireTable(catalog: Catalog, name: QualifiedName, migration: MigrationNode): CatalogTable {
  const table = findTable(catalog, name);
  if (!table) throw new Error(`${migration.name}: ${quoteQualifiedName(name)} vanished after planning`);
  return table;
}

function requireColumn(table: CatalogTable, name: string, migration: MigrationNode): CatalogColumn {
  const column = table.columns.find((c) => c.name === name);
  if (!column) throw new Error(`${migration.name}: target column ${name} vanished after planning`);
  return column;
}

function unsupported(migration: MigrationNode, reason: string): FerryError {
  return new FerryError(
    errorDiagnostic('apply.unsupported', `\`${migration.name}\`: ${reason}`, {
      hint: 'change the spec or the target schema so that the migration can be written set-based',
      location: migration.location,
    }),
  );
}
