// ferry.lock: the decisions `ferry plan` made, pinned so that reviews and CI are deterministic. This
// file defines its format (zod, for reading it back), and turns a resolved plan into it and back.

import { z } from 'zod';
import type { ColumnPlan, MigrationNode, Origin, Plan } from '../compiler/plan.js';
import type { PinnedMigration } from '../compiler/resolve.js';
import { formatQualifiedName } from '../spec/qualified-name.js';

export const LOCK_VERSION = 1;
export const LOCK_FILE_NAME = 'ferry.lock';

const OriginFields = {
  origin: z.enum(['declared', 'inferred']),
  agent: z.string().optional(),
  confidence: z.number().min(0).max(1).optional(),
  reason: z.string().optional(),
};

const LockedColumn = z.object({
  from: z.string().optional(),
  expr: z.string().optional(),
  ref: z.string().optional(),
  omit: z.literal(true).optional(),
  ...OriginFields,
});

const LockedMigration = z.object({
  spec: z.string(),
  source: z.object({ table: z.string(), fingerprint: z.string() }),
  target: z.object({ table: z.string(), fingerprint: z.string() }),
  keys: z.enum(['preserve', 'generate']),
  class: z
    .object({
      class: z.enum(['catalog', 'transactional']),
      shape: z.enum(['plain', 'junction', 'self-referencing']),
      ...OriginFields,
    })
    .optional(),
  batch: z
    .object({
      size: z.number().int().min(1),
      parallelism: z.number().int().min(1),
      key: z.array(z.string()).optional(),
      ...OriginFields,
    })
    .optional(),
  columns: z.record(z.string(), LockedColumn),
  decisions: z
    .array(
      z.object({
        column: z.string().optional(),
        question: z.string(),
        options: z.array(z.object({ label: z.string(), yaml: z.string() })),
        agent: z.string(),
      }),
    )
    .optional(),
  warnings: z
    .array(
      z.object({
        column: z.string().optional(),
        message: z.string(),
        yaml: z.string().optional(),
        agent: z.string(),
      }),
    )
    .optional(),
});

/** Optional, so that a lock written before zones were pinned still reads (and is reported stale). */
const LockedTimeZone = z.object({
  name: z.string().min(1),
  origin: z.enum(['declared', 'source-server']),
});

export const Lockfile = z.object({
  lockVersion: z.literal(LOCK_VERSION),
  sourceTimeZone: LockedTimeZone.optional(),
  migrations: z.record(z.string(), LockedMigration),
});

export type Lockfile = z.infer<typeof Lockfile>;
export type LockedMigration = z.infer<typeof LockedMigration>;
export type LockedTimeZone = z.infer<typeof LockedTimeZone>;
type LockedOrigin = Pick<z.infer<typeof LockedColumn>, 'origin' | 'agent' | 'confidence' | 'reason'>;

function lockOrigin(origin: Origin | undefined): LockedOrigin {
  if (!origin || origin.kind === 'declared') return { origin: 'declared' };
  return { origin: 'inferred', agent: origin.agent, confidence: origin.confidence, reason: origin.reason };
}

function planOrigin(locked: LockedOrigin): Origin {
  if (locked.origin === 'declared') return { kind: 'declared' };
  return {
    kind: 'inferred',
    agent: locked.agent ?? 'unknown',
    confidence: locked.confidence ?? 0,
    reason: locked.reason ?? '',
  };
}

/** The lock entry of one resolved migration. Key order here is the order in the file. */
export function lockMigration(migration: MigrationNode, plan: Plan): LockedMigration {
  const { classification, batch, tables } = migration;
  const decisions = plan.decisions.filter((d) => d.migration === migration.name);
  const warnings = plan.warnings.filter((w) => w.migration === migration.name);
  return {
    spec: migration.specHash,
    source: { table: formatQualifiedName(migration.from), fingerprint: tables?.source.fingerprint ?? '' },
    target: { table: formatQualifiedName(migration.to), fingerprint: tables?.target.fingerprint ?? '' },
    keys: migration.keys,
    ...(classification
      ? {
          class: {
            class: classification.class,
            shape: classification.shape,
            ...lockOrigin(classification.origin),
          },
        }
      : {}),
    ...(typeof batch.size === 'number'
      ? {
          batch: {
            size: batch.size,
            parallelism: batch.parallelism ?? 1,
            ...(batch.key ? { key: [...batch.key] } : {}),
            ...lockOrigin(batch.origin),
          },
        }
      : {}),
    columns: Object.fromEntries(migration.columns.map((c) => [c.target, lockColumn(c)])),
    ...(decisions.length
      ? {
          decisions: decisions.map(({ column, question, options, agent }) => ({
            ...(column === undefined ? {} : { column }),
            question,
            options: options.map((o) => ({ label: o.label, yaml: o.yaml })),
            agent,
          })),
        }
      : {}),
    ...(warnings.length
      ? {
          warnings: warnings.map(({ column, message, yaml, agent }) => ({
            ...(column === undefined ? {} : { column }),
            message,
            ...(yaml === undefined ? {} : { yaml }),
            agent,
          })),
        }
      : {}),
  };
}

function lockColumn(column: ColumnPlan): z.infer<typeof LockedColumn> {
  return {
    ...(column.from === undefined ? {} : { from: column.from }),
    ...(column.expr === undefined ? {} : { expr: column.expr }),
    ...(column.ref === undefined ? {} : { ref: column.ref }),
    ...(column.omit ? { omit: true as const } : {}),
    ...lockOrigin(column.origin),
  };
}

/** The whole lockfile of a resolved plan: migrations sorted by name, so it never depends on file order. */
export function lockPlan(plan: Plan): Lockfile {
  const names = plan.migrations.map((m) => m.name).sort();
  const byName = new Map(plan.migrations.map((m) => [m.name, m]));
  const zone = plan.sourceTimeZone;
  return {
    lockVersion: LOCK_VERSION,
    ...(zone ? { sourceTimeZone: { name: zone.name, origin: zone.origin } } : {}),
    migrations: Object.fromEntries(
      names.map((name) => [name, lockMigration(byName.get(name) as MigrationNode, plan)]),
    ),
  };
}

/** What a lock entry pins, in the form resolution takes. Only inferred columns are pinned. */
export function pinnedFromLock(name: string, locked: LockedMigration): PinnedMigration {
  const columns: ColumnPlan[] = Object.entries(locked.columns)
    .filter(([, c]) => c.origin === 'inferred')
    .map(([target, c]) => ({
      target,
      ...(c.from === undefined ? {} : { from: c.from }),
      ...(c.expr === undefined ? {} : { expr: c.expr }),
      ...(c.omit ? { omit: true as const } : {}),
      origin: planOrigin(c),
    }));
  return {
    columns,
    ...(locked.class
      ? {
          classification: {
            class: locked.class.class,
            shape: locked.class.shape,
            origin: planOrigin(locked.class),
          },
        }
      : {}),
    ...(locked.batch
      ? {
          batch: {
            size: locked.batch.size,
            parallelism: locked.batch.parallelism,
            origin: planOrigin(locked.batch),
          },
        }
      : {}),
    decisions: (locked.decisions ?? []).map(({ column, question, options, agent }) => ({
      migration: name,
      ...(column === undefined ? {} : { column }),
      question,
      options,
      agent,
    })),
    warnings: (locked.warnings ?? []).map(({ column, message, yaml, agent }) => ({
      migration: name,
      ...(column === undefined ? {} : { column }),
      message,
      ...(yaml === undefined ? {} : { yaml }),
      agent,
    })),
  };
}
