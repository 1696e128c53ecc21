// The order a rollback deletes in: children before parents, read from the target's own foreign keys
// among the rolled-back tables (the specs may have changed since, or no longer name a migration),
// with the plan's order, reversed, to break ties and cycles.

import type { Catalog } from '../catalog/types.js';
import type { QualifiedName } from '../spec/types.js';
import { quoteQualifiedName } from '../util/sql.js';

export interface OrderedItem {
  readonly migration: string;
  /** Absent when the migration has no rows to delete: it can go at any point. */
  readonly table?: QualifiedName;
}

/**
 * `items` ordered so that a table comes before every table it references. Among tables free to go,
 * the one latest in `planOrder` goes first; migrations the plan no longer has go before all others.
 * A cycle of foreign keys is cut at its table latest in the plan: the check for referencing rows
 * then says whether its rows can go.
 *
 * @example
 * deletionOrder([{ migration: 'case_files', table }, { migration: 'orders', table: ordersTable }], catalog, plan.migrations.map((m) => m.name));
 * // → orders, case_files
 */
export function deletionOrder<T extends OrderedItem>(
  items: readonly T[],
  catalog: Catalog,
  planOrder: readonly string[],
): T[] {
  const rank = (item: T) => {
    const index = planOrder.indexOf(item.migration);
    return index === -1 ? planOrder.length : index;
  };
  const byTable = new Map<string, T[]>();
  for (const item of items) {
    if (!item.table) continue;
    const key = quoteQualifiedName(item.table);
    byTable.set(key, [...(byTable.get(key) ?? []), item]);
  }
  // parentsOf: the items whose tables an item's table references (not its own).
  const parentsOf = new Map<T, T[]>();
  for (const item of items) {
    const table =
      item.table && catalog.tables.find((t) => t.schema === item.table?.schema && t.name === item.table.name);
    const parents = (table?.foreignKeys ?? []).flatMap((fk) =>
      fk.referencedSchema === table?.schema && fk.referencedTable === table.name
        ? []
        : (byTable.get(quoteQualifiedName({ schema: fk.referencedSchema, name: fk.referencedTable })) ?? []),
    );
    parentsOf.set(
      item,
      [...new Set(parents)].filter((parent) => parent !== item),
    );
  }
  const waitingChildren = new Map<T, number>(items.map((item) => [item, 0]));
  for (const parents of parentsOf.values()) {
    for (const parent of parents) waitingChildren.set(parent, (waitingChildren.get(parent) ?? 0) + 1);
  }
  const ordered: T[] = [];
  const left = new Set(items);
  const latestFirst = (a: T, b: T) => rank(b) - rank(a) || (a.migration < b.migration ? 1 : -1);
  while (left.size > 0) {
    const candidates = [...left].sort(latestFirst);
    const next = candidates.find((item) => waitingChildren.get(item) === 0) ?? (candidates[0] as T);
    ordered.push(next);
    left.delete(next);
    for (const parent of parentsOf.get(next) ?? []) {
      waitingChildren.set(parent, (waitingChildren.get(parent) ?? 0) - 1);
    }
  }
  return ordered;
}
