// A MySQL catalog as the batch SQL sees it: each table with its columns in the PostgreSQL types they
// are staged in (raw-types.ts), under the same names. Columns of a type ferry cannot move are left
// out, so a mapping that reads one fails the plan's check with the column named.

import { fingerprintTable } from '../../catalog/fingerprint.js';
import type { Catalog, CatalogColumn, CatalogTable } from '../../catalog/types.js';
import { rawColumnType } from './raw-types.js';

export function stagedCatalog(catalog: Catalog): Catalog {
  return { ...catalog, engine: 'postgres', tables: catalog.tables.map(stagedTable) };
}

function stagedTable(table: CatalogTable): CatalogTable {
  const columns = table.columns.flatMap((column, index): CatalogColumn[] => {
    const raw = rawColumnType(column);
    if (!raw) return [];
    const {
      default: _default,
      identity: _identity,
      unsigned: _u,
      members: _m,
      charset: _c,
      precision: _p,
      scale: _s,
      ...rest
    } = column;
    return [
      {
        ...rest,
        ordinal: index + 1,
        type: raw.type,
        baseType: raw.baseType,
        ...(raw.precision === undefined ? {} : { precision: raw.precision, scale: raw.scale ?? 0 }),
        // Staged values are data: nothing is generated or defaulted in the staging table.
        serial: false,
        generated: false,
      },
    ];
  });
  const staged = { ...table, columns, checks: [] };
  const { fingerprint: _fingerprint, ...structure } = staged;
  return { ...staged, fingerprint: fingerprintTable(structure) };
}
