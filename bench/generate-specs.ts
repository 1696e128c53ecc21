// Generates a deterministic, realistic spec directory for the compile benchmark: catalog, transactional,
// junction and history tables whose references all point at earlier migrations, so the graph is acyclic.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface GeneratedSpecs {
  readonly files: number;
  /** Files holding several migrations separated by `---`. */
  readonly bundles: number;
  readonly migrations: number;
  readonly refs: number;
  readonly dependsOn: number;
  readonly expressions: number;
  readonly wheres: number;
}

type Kind = 'catalog' | 'transactional' | 'junction' | 'history';

interface Migration {
  readonly name: string;
  /** One word of the domain, used to derive column and child names that stay short. */
  readonly noun: string;
  readonly kind: Kind;
  readonly yaml: string;
}

/** mulberry32: a tiny seeded PRNG, so every run benchmarks exactly the same specs. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CATALOG_NOUNS = ['country', 'currency', 'status', 'category', 'unit', 'region', 'tag', 'bracket'];
const NOUNS = [
  'customer',
  'account',
  'invoice',
  'order',
  'order_line',
  'shipment',
  'product',
  'supplier',
  'warehouse',
  'payment',
  'contract',
  'employee',
  'ticket',
  'case_file',
  'document',
  'address',
  'price',
  'stock_move',
  'visit',
  'claim',
];

/** Plain target columns and the legacy source column each is copied from. */
const PLAIN_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['code', 'legacy_code'],
  ['name', 'full_name'],
  ['description', 'descr'],
  ['notes', 'remarks'],
  ['reference', 'ref_no'],
  ['quantity', 'qty'],
  ['phone', 'phone_no'],
  ['city', 'city_name'],
  ['postal_code', 'zip'],
  ['label', 'lbl'],
  ['position', 'sort_order'],
  ['external_id', 'ext_id'],
  ['version', 'rev'],
  ['source_system', 'src_sys'],
  ['comment', 'cmt'],
  ['title', 'ttl'],
];

/**
 * Columns computed with an expression, each valid PostgreSQL. Legacy column names differ from table to
 * table, so most texts name columns after the table (`p`); a few idioms recur verbatim, as in real specs.
 */
const EXPRESSION_COLUMNS: ReadonlyArray<readonly [string, (p: string) => string]> = [
  ['amount', (p) => `${p}amount_cents / 100.0`],
  ['created_at', (p) => `coalesce(${p}created, now())`],
  ['active', (p) => `${p}is_active <> 0`],
  ['email', (p) => `lower(trim(${p}email_addr))`],
  ['state', (p) => `case ${p}status_code when 'O' then 'open' when 'C' then 'closed' else 'unknown' end`],
  ['updated_at', (p) => `to_timestamp(${p}upd_epoch) at time zone 'UTC'`],
  ['vat_rate', (p) => `round(${p}vat_permille::numeric / 1000, 3)`],
  ['display_name', (p) => `concat_ws(' ', ${p}first_name, ${p}last_name)`],
];

const WHERE_CLAUSES: ReadonlyArray<(p: string) => string> = [
  (p) => `${p}deleted_at is null`,
  (p) => `${p}status in ('open', 'closed')`,
  (p) => `${p}created >= date '2015-01-01'`,
  (p) => `${p}is_test = 0 and ${p}tenant_id is not null`,
  (p) => `coalesce(${p}archived, 'N') <> 'Y'`,
];

/** The legacy column prefix of a table: none for a third of them, else an abbreviation with a variant. */
function columnPrefix(noun: string, random: () => number): string {
  const r = random();
  if (r < 0.33) return '';
  return `${noun.replace(/_/g, '').slice(0, 4)}${Math.floor(r * 10)}_`;
}

function pad(n: number): string {
  return String(n).padStart(4, '0');
}

function quote(text: string): string {
  // JSON strings of plain ASCII are valid YAML double-quoted scalars.
  return JSON.stringify(text);
}

function shuffledPrefix<T>(items: readonly T[], count: number, random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, count);
}

function pickKind(index: number, random: () => number): Kind {
  if (index < 3) return 'catalog'; // junctions need two earlier parents
  const r = random();
  if (r < 0.05) return 'catalog';
  if (r < 0.65) return 'transactional';
  if (r < 0.9) return 'junction';
  return 'history';
}

/**
 * Picks a distinct earlier migration. Real schemas reference catalogs often and otherwise mostly tables
 * of their own module (recently defined), so parents are biased that way rather than uniform.
 */
function pickParent(
  earlier: readonly Migration[],
  catalogs: readonly Migration[],
  taken: ReadonlySet<string>,
  random: () => number,
): Migration | undefined {
  for (let attempt = 0; attempt < 20; attempt++) {
    const r = random();
    let candidate: Migration | undefined;
    if (r < 0.3 && catalogs.length > 0) candidate = catalogs[Math.floor(random() * catalogs.length)];
    else if (r < 0.8)
      candidate = earlier[earlier.length - 1 - Math.floor(random() * Math.min(40, earlier.length))];
    else candidate = earlier[Math.floor(random() * earlier.length)];
    if (candidate && !taken.has(candidate.name)) return candidate;
  }
  return undefined;
}

function migrationYaml(
  index: number,
  kind: Kind,
  earlier: readonly Migration[],
  catalogs: readonly Migration[],
  random: () => number,
  stats: { refs: number; dependsOn: number; expressions: number; wheres: number },
): Migration {
  const parentCount =
    kind === 'catalog' ? 0 : kind === 'junction' ? 2 : kind === 'history' ? 1 : 1 + Math.floor(random() * 3);
  const parents: Migration[] = [];
  const taken = new Set<string>();
  for (let i = 0; i < parentCount; i++) {
    const parent = pickParent(earlier, catalogs, taken, random);
    if (!parent) break;
    parents.push(parent);
    taken.add(parent.name);
  }
  const [first, second] = parents;
  // A junction is named after its two parents, as in case_file_tags; it takes the first one's noun.
  const noun =
    kind === 'catalog'
      ? (CATALOG_NOUNS[index % CATALOG_NOUNS.length] as string)
      : kind === 'junction' && first
        ? first.noun
        : (NOUNS[Math.floor(random() * NOUNS.length)] as string);
  const name =
    kind === 'junction' && first && second
      ? `${first.noun}_${second.noun}_${pad(index)}`
      : kind === 'history'
        ? `${noun}_history_${pad(index)}`
        : `${noun}_${pad(index)}`;

  const lines = [
    '# yaml-language-server: $schema=../schemas/spec.schema.json',
    `# ${kind} table ${name}, generated for the compile benchmark.`,
    `migration: ${name}`,
    random() < 0.1 ? `from: { schema: legacy, table: ${name}_tbl }` : `from: legacy.${name}_tbl`,
    `to: app.${name}`,
  ];
  if (kind === 'catalog') lines.push('class: catalog');
  if (kind === 'transactional' && random() < 0.3) lines.push('keys: generate');

  const columns: string[] = [`  id: ${kind === 'catalog' ? 'code_id' : 'id'}`];
  for (const parent of parents) {
    const column = `${parent.name}_id`;
    columns.push(
      random() < 0.5
        ? `  ${column}: { ref: ${parent.name} }`
        : `  ${column}: { from: ${parent.noun}_fk, ref: ${parent.name} }`,
    );
    stats.refs++;
  }
  // 5–15 columns; junction tables are narrow (5–7): their two keys and a little bookkeeping.
  const total = 5 + Math.floor(random() * (kind === 'junction' ? 3 : 11));
  const plainCount = Math.max(0, total - columns.length);
  const plain = shuffledPrefix(PLAIN_COLUMNS, plainCount, random);
  const expressions = shuffledPrefix(EXPRESSION_COLUMNS, EXPRESSION_COLUMNS.length, random);
  for (const [target, source] of plain) {
    const r = random();
    if (r < 0.15 && expressions.length > 0) {
      const [exprTarget, expr] = expressions.pop() as (typeof EXPRESSION_COLUMNS)[number];
      columns.push(`  ${exprTarget}: { expr: ${quote(expr(columnPrefix(noun, random)))} }`);
      stats.expressions++;
    } else if (r < 0.2) columns.push(`  ${target}: { omit: true }`);
    else if (r < 0.6) columns.push(`  ${target}: { from: ${source} }`);
    else columns.push(`  ${target}: ${source}`);
  }
  lines.push('columns:', ...columns);

  if (kind !== 'catalog' && random() < 0.15) {
    const where = WHERE_CLAUSES[
      Math.floor(random() * WHERE_CLAUSES.length)
    ] as (typeof WHERE_CLAUSES)[number];
    lines.push(`where: ${quote(where(columnPrefix(noun, random)))}`);
    stats.wheres++;
  }
  if (kind !== 'catalog' && random() < 0.12) {
    const extra = pickParent(earlier, catalogs, taken, random);
    if (extra) {
      lines.push(`dependsOn: [${extra.name}]`);
      stats.dependsOn++;
    }
  }
  if (kind === 'transactional' && random() < 0.2)
    lines.push(`batch: { size: ${(1 + Math.floor(random() * 10)) * 1000} }`);
  if (kind === 'junction' && random() < 0.3) lines.push('onOrphan: skip');
  return { name, noun, kind, yaml: `${lines.join('\n')}\n` };
}

const PROJECT_YAML = `# yaml-language-server: $schema=../schemas/spec.schema.json
version: 1
source:
  url: \${env:FERRY_SOURCE_URL}
  schema: legacy
target:
  url: \${env:FERRY_TARGET_URL}
  schema: app
defaults:
  batchSize: auto
  onError: pause
  onOrphan: fail
`;

/** Writes ferry.yaml and `count` migrations into `dir`; about 3% of files hold several documents. */
export async function generateSpecs(dir: string, count: number, seed = 20240601): Promise<GeneratedSpecs> {
  const random = mulberry32(seed);
  const stats = { refs: 0, dependsOn: 0, expressions: 0, wheres: 0 };
  const migrations: Migration[] = [];
  const catalogs: Migration[] = [];
  for (let i = 0; i < count; i++) {
    const migration = migrationYaml(i, pickKind(i, random), migrations, catalogs, random, stats);
    migrations.push(migration);
    if (migration.kind === 'catalog') catalogs.push(migration);
  }

  const files = new Map<string, string>([['ferry.yaml', PROJECT_YAML]]);
  let bundles = 0;
  for (let i = 0; i < migrations.length; ) {
    const take = random() < 0.03 ? 2 + Math.floor(random() * 3) : 1;
    const group = migrations.slice(i, i + take);
    const first = group[0] as Migration;
    const file = group.length > 1 ? `${first.name}_bundle.yaml` : `${first.name}.yaml`;
    files.set(file, group.map((m) => m.yaml).join('---\n'));
    if (group.length > 1) bundles++;
    i += group.length;
  }
  await Promise.all([...files].map(([file, text]) => writeFile(join(dir, file), text)));
  return { files: files.size, bundles, migrations: migrations.length, ...stats };
}
