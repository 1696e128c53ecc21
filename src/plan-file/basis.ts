// A saved plan's basis: what the plan was made against (the spec files, ferry.lock, both tables of
// every migration, the source time zone, what `_ferry` in the target held). `ferry apply FILE`
// compares it with the same things read again and refuses the plan when any moved.

import { z } from 'zod';

/** Bumped when the basis changes shape: a file of another format is refused, never guessed at. */
export const SAVED_PLAN_FORMAT_VERSION = 1;

const Hash = z.string().regex(/^sha256:[0-9a-f]{64}$/);

const TableBasis = z.object({ table: z.string(), fingerprint: z.string() });

/** What `_ferry` held of one migration; null when it held nothing of it (or there was no `_ferry`). */
const AppliedDigest = z
  .object({
    phase: z.string(),
    mappingHash: z.string().nullable(),
    batchesDone: z.number().int().nonnegative(),
    batchesTotal: z.number().int().nonnegative(),
    rows: z.number().nonnegative(),
  })
  .nullable();

export const PlanBasisSchema = z.object({
  formatVersion: z.literal(SAVED_PLAN_FORMAT_VERSION),
  ferryVersion: z.string(),
  createdAt: z.string(),
  /** Spec file (relative to the specs directory, `/`-separated) → hash of its bytes. */
  specs: z.record(z.string(), Hash),
  /** Hash of ferry.lock's bytes; null when there was none. */
  lock: Hash.nullable(),
  sourceTimeZone: z.string(),
  /** Migration → its source and target table with their structural fingerprints. */
  tables: z.record(z.string(), z.object({ source: TableBasis, target: TableBasis })),
  /** Migration → what `_ferry` held of it; every planned migration has an entry. */
  applied: z.record(z.string(), AppliedDigest),
});

export type PlanBasis = z.infer<typeof PlanBasisSchema>;
export type TableBasis = z.infer<typeof TableBasis>;
export type AppliedDigest = z.infer<typeof AppliedDigest>;
