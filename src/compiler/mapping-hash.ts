// The hash of what decides a migration's target rows: its tables, key strategy, row filter and the
// resolved value of every column. `apply` records it with each migration, so `diff` can tell a mapping
// that changed since the rows were written from a spec edit that changes nothing written (a batch
// size, a comment, onError).

import { hashCanonical } from '../util/canonical-json.js';
import type { MigrationNode } from './plan.js';

/**
 * `sha256:…` over the migration's resolved mapping. Origins are left out: an agent's guess pinned as
 * the same declared mapping writes the same rows.
 *
 * @example
 * mappingHash(orders); // → 'sha256:3f1c…'
 */
export function mappingHash(migration: MigrationNode): string {
  return hashCanonical({
    from: migration.from,
    to: migration.to,
    keys: migration.keys,
    where: migration.where ?? null,
    columns: migration.columns.map(({ target, from, expr, ref, omit }) => ({
      target,
      from: from ?? null,
      expr: expr ?? null,
      ref: ref ?? null,
      omit: omit === true,
    })),
  });
}
