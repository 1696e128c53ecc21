// Introspection of the database behind a URL: connect, read the catalog, close. What plan and init
// do for each side they do not otherwise hold a connection to.

import { connectPostgres, type DatabaseRole } from '../../db/postgres.js';
import type { Catalog } from '../types.js';
import { introspectPostgres } from './introspect.js';

/**
 * @example
 * const target = await introspectUrl(process.env.FERRY_TARGET_URL ?? '', 'target', ['app']);
 */
export async function introspectUrl(
  url: string,
  role: DatabaseRole,
  schemas?: readonly string[],
): Promise<Catalog> {
  const client = await connectPostgres(url, role);
  try {
    return await introspectPostgres(client, schemas?.length ? { schemas } : {});
  } finally {
    await client.end().catch(() => {});
  }
}
