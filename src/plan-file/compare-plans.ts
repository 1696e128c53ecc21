// The saved plan against the plan made again at apply time, as canonical JSON: even with an
// unchanged basis, apply runs only the plan that was reviewed. Where things are written (locations)
// and what the basis compares already (tables, the source time zone) are left out.

import type { Plan } from '../compiler/plan.js';
import { canonicalJson } from '../util/canonical-json.js';

/** Keys left out at any depth: spec locations name files relative to the directory ferry ran in. */
const LOCATION_KEYS = new Set(['location', 'locations']);

/** Keys left out of each migration: the basis compares the tables' fingerprints by name. */
const MIGRATION_KEYS_COMPARED_BY_BASIS = new Set(['tables']);

/** Plan keys left out: the basis compares the zone's name; the rest follows from the tables. */
const PLAN_KEYS_COMPARED_BY_BASIS = new Set(['sourceTimeZone', 'migrations']);

const PLAN_PARTS: Readonly<Record<string, string>> = {
  edges: 'dependencies',
  layers: 'layers',
  decisions: 'open decisions',
  warnings: 'warnings',
  formatVersion: 'format version',
};

/**
 * How the saved plan (as read from its file) differs from `current`, one sentence per migration or
 * part; empty when they are the same plan.
 *
 * @example
 * planDifferences(saved.plan, planned.plan); // ['the plan of `orders` differs from the one made now (columns)']
 */
export function planDifferences(saved: Readonly<Record<string, unknown>>, current: Plan): string[] {
  const now = JSON.parse(JSON.stringify(current)) as Record<string, unknown>;
  const before = migrationsByName(saved.migrations);
  const after = migrationsByName(now.migrations);
  const differences: string[] = [];
  for (const name of before.keys())
    if (!after.has(name)) differences.push(`\`${name}\` is in the saved plan but not planned now`);
  for (const [name, node] of after) {
    const savedNode = before.get(name);
    if (savedNode === undefined) {
      differences.push(`\`${name}\` is planned now but not in the saved plan`);
      continue;
    }
    const keys = differingKeys(savedNode, node, MIGRATION_KEYS_COMPARED_BY_BASIS);
    if (keys.length > 0)
      differences.push(`the plan of \`${name}\` differs from the one made now (${keys.join(', ')})`);
  }
  const parts = differingKeys(saved, now, PLAN_KEYS_COMPARED_BY_BASIS).map((key) => PLAN_PARTS[key] ?? key);
  if (parts.length > 0) differences.push(`the plan's ${parts.join(', ')} differ from the ones made now`);
  return differences;
}

function migrationsByName(value: unknown): Map<string, Record<string, unknown>> {
  const nodes = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
  return new Map(nodes.map((node) => [String(node.name), node]));
}

/** The top-level keys of two objects whose values differ, locations left out, in sorted order. */
function differingKeys(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
  skip: ReadonlySet<string>,
): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.filter(
    (key) =>
      !skip.has(key) &&
      !LOCATION_KEYS.has(key) &&
      canonicalJson(withoutLocations(before[key])) !== canonicalJson(withoutLocations(after[key])),
  );
}

function withoutLocations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutLocations);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !LOCATION_KEYS.has(key))
      .map(([key, inner]) => [key, withoutLocations(inner)]),
  );
}
