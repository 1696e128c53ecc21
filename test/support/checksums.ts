// Source and target compared by what was migrated: a query on each side selects the mapped values,
// and the server hashes the rows (count and md5 of their sorted text), so no table crosses the wire.

import { expect } from 'vitest';
import type { TestDatabase } from './database.js';
import type { Workload } from './workload.js';

/** The mapped values of each migration: a query on the source and one on the target, same columns. */
export type Checks = Readonly<Record<string, readonly [source: string, target: string]>>;

/** The reference workload (bench/workload, specs/): every migration's mapped values. */
export const REFERENCE_CHECKS = {
  brackets: [
    `SELECT id, bracket_name, min_weight, max_weight, created_at::timestamptz FROM legacy.dispatch_bracket`,
    `SELECT id, name, min_weight, max_weight, created_at FROM app.brackets`,
  ],
  tags: [`SELECT id, label FROM legacy.dispatch_tag`, `SELECT id, label FROM app.tags`],
  case_files: [
    `SELECT id, case_number, bracket_id, status, opened_on, notes, is_active <> 0 FROM legacy.dispatch_casefile`,
    `SELECT id, case_number, bracket_id, status, opened_on, notes, active FROM app.case_files`,
  ],
  orders: [
    `SELECT id, casefile_id, (amount_cents / 100.0)::numeric(12,2), currency, placed_at::timestamptz FROM legacy.dispatch_order`,
    `SELECT id, case_file_id, amount, currency, placed_at FROM app.orders`,
  ],
  case_file_tags: [
    `SELECT casefile_id, tag_id FROM legacy.dispatch_casefile_tags`,
    `SELECT case_file_id, tag_id FROM app.case_file_tags`,
  ],
} as const satisfies Checks;

/**
 * The shop example (examples/shop): generated keys differ from the source's, so customers and orders
 * are compared by source key through `_ferry.migration_mappings`, and refs to them by a unique value.
 */
export const SHOP_CHECKS = {
  categories: [`SELECT cat_id, cat_name FROM legacy_shop.categories`, `SELECT id, name FROM shop.categories`],
  products: [
    `SELECT prod_id, upper(sku), prod_name, cat_id, (list_price_cents / 100.0)::numeric(10,2), discontinued <> 'Y'
       FROM legacy_shop.products`,
    `SELECT id, sku, name, category_id, price, active FROM shop.products`,
  ],
  customers: [
    `SELECT cust_id, cust_name, lower(trim(email)), upper(country_cd), created_on FROM legacy_shop.customers`,
    `SELECT (m.source_key->>0)::int, c.name, c.email, c.country, c.signed_up_on
       FROM shop.customers c
       JOIN _ferry.migration_mappings m ON m.migration = 'customers' AND (m.target_key->>0)::bigint = c.id`,
  ],
  // The customer ref compared by the customer's e-mail address (unique on both sides).
  orders: [
    `SELECT o.order_id, o.order_no, lower(trim(c.email)), o.order_dt AT TIME ZONE 'Europe/Berlin',
            CASE o.status WHEN 'N' THEN 'new' WHEN 'P' THEN 'paid' WHEN 'S' THEN 'shipped' WHEN 'C' THEN 'cancelled' END
       FROM legacy_shop.orders o JOIN legacy_shop.customers c USING (cust_id)`,
    `SELECT (m.source_key->>0)::int, o.order_number, c.email, o.ordered_at, o.status
       FROM shop.orders o
       JOIN shop.customers c ON c.id = o.customer_id
       JOIN _ferry.migration_mappings m ON m.migration = 'orders' AND (m.target_key->>0)::bigint = o.id`,
  ],
  // The order ref compared by the order's number (unique on both sides).
  order_lines: [
    `SELECT o.order_no, l.line_no, l.prod_id, l.qty, (l.unit_price_cents / 100.0)::numeric(10,2)
       FROM legacy_shop.order_lines l JOIN legacy_shop.orders o USING (order_id) WHERE l.qty > 0`,
    `SELECT o.order_number, l.line_number, l.product_id, l.quantity, l.unit_price
       FROM shop.order_lines l JOIN shop.orders o ON o.id = l.order_id`,
  ],
  payments: [
    `SELECT pay_id, order_no, (amt_cents / 100.0)::numeric(10,2),
            CASE pay_method WHEN 'CC' THEN 'card' WHEN 'PP' THEN 'paypal' WHEN 'BT' THEN 'bank_transfer' END,
            paid_ts AT TIME ZONE 'Europe/Berlin'
       FROM legacy_shop.payments`,
    `SELECT id, order_number, amount, method, paid_at FROM shop.payments`,
  ],
} as const satisfies Checks;

export interface Checksum {
  readonly rows: number;
  readonly hash: string;
}

/**
 * Rows of `select` and the md5 of their text forms in sorted order, computed by the server.
 *
 * @example
 * const { rows, hash } = await checksum(workload.target, 'SELECT id, label FROM app.tags');
 */
export function checksum(database: TestDatabase, select: string, values: unknown[] = []): Promise<Checksum> {
  return database.withClient(async (client) => {
    // One zone on both sides, so that timestamptz values print alike.
    await client.query(`SET TimeZone = 'UTC'`);
    const { rows } = await client.query<{ rows: number; hash: string }>(
      `SELECT count(*)::int AS rows, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS hash
         FROM (${select}) t`,
      values,
    );
    return rows[0] as Checksum;
  });
}

/** The target query yields exactly the rows of the source query (which yields some), by count and checksum. */
export async function expectRowsAgree(
  workload: Pick<Workload, 'source' | 'target'>,
  name: string,
  source: string,
  target: string,
): Promise<void> {
  const expected = await checksum(workload.source, source);
  expect(expected.rows, `${name}: the source check selects rows`).toBeGreaterThan(0);
  expect(await checksum(workload.target, target), name).toEqual(expected);
}

/**
 * Every table named (all of `checks` by default) agrees with its source.
 *
 * @example
 * await expectTablesAgree(workload, REFERENCE_CHECKS, ['brackets', 'tags']);
 */
export async function expectTablesAgree<C extends Checks>(
  workload: Pick<Workload, 'source' | 'target'>,
  checks: C,
  names: readonly (keyof C & string)[] = Object.keys(checks),
): Promise<void> {
  for (const name of names) {
    const [source, target] = checks[name] as Checks[string];
    await expectRowsAgree(workload, name, source, target);
  }
}
