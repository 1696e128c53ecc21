// `init` as a library function: both databases introspected, each target table matched to its most
// likely source table, the mapping agent asked about the columns, and a spec drafted per match.

import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mappingAgent, matchTables } from '../agents/builtin/mapping/index.js';
import { AGENT_PROTOCOL_VERSION, type AgentRequest } from '../agents/protocol.js';
import { introspectUrl } from '../catalog/postgres/introspect-url.js';
import type { Catalog } from '../catalog/types.js';
import { DEFAULT_MIN_CONFIDENCE } from '../compiler/plan-project.js';
import { isMysqlUrl } from '../db/mysql.js';
import { errorDiagnostic, FerryError } from '../errors.js';
import { sourceDialect } from '../source/dialect.js';
import { type DraftFile, draftMigrationFile, draftProjectFile, migrationNameFor } from '../spec/draft.js';
import type { QualifiedName } from '../spec/types.js';

export interface InitOptions {
  readonly sourceUrl: string;
  readonly targetUrl: string;
  readonly sourceSchemas?: readonly string[];
  readonly targetSchemas?: readonly string[];
  /** Where the drafts are written. */
  readonly outDir: string;
  /** Replace drafts of the same name; never touches other files. */
  readonly force?: boolean;
}

export interface InitResult {
  readonly files: readonly DraftFile[];
  readonly matched: number;
  readonly unmatched: readonly QualifiedName[];
  /** Columns left as commented decisions in the drafts. */
  readonly decisions: number;
}

/**
 * Drafts specs for every target table.
 *
 * @example
 * await initProject({ sourceUrl, targetUrl, outDir: 'specs', targetSchemas: ['app'] });
 */
export async function initProject(options: InitOptions): Promise<InitResult> {
  await refuseExistingSpecs(options.outDir, options.force === true);
  const [source, target] = await Promise.all([
    // The source in its own engine's types (a MySQL one included), as plan hands it to the agents.
    sourceDialect(options.sourceUrl).introspect(
      options.sourceUrl,
      options.sourceSchemas ?? databaseOfMysqlUrl(options.sourceUrl),
    ),
    introspectUrl(options.targetUrl, 'target', options.targetSchemas),
  ]);
  const matches = matchTables(source, target);
  const taken = new Set<string>();
  const drafts = matches.flatMap((match) => {
    if (!match.source) return [];
    const name = migrationNameFor(match.target, taken);
    taken.add(name);
    return [{ name, from: match.source, to: match.target, match }];
  });
  const request: AgentRequest = {
    protocol: AGENT_PROTOCOL_VERSION,
    role: 'mapping',
    minConfidence: DEFAULT_MIN_CONFIDENCE,
    source,
    target,
    migrations: drafts.map((d) => ({
      name: d.name,
      from: d.from,
      to: d.to,
      keys: 'preserve',
      declaredColumns: {},
      openColumns: (
        target.tables.find((t) => t.schema === d.to.schema && t.name === d.to.name)?.columns ?? []
      )
        .filter((c) => !c.generated)
        .map((c) => c.name),
    })),
  };
  const { proposals } = await mappingAgent.run(request);
  const unmatched = matches.filter((m) => !m.source).map((m) => m.target);
  const files = [
    draftProjectFile({
      ...single(
        drafts.map((d) => d.from.schema),
        'sourceSchema',
      ),
      ...single(
        drafts.map((d) => d.to.schema),
        'targetSchema',
      ),
      unmatched,
    }),
    ...drafts.map((d) =>
      draftMigrationFile({
        name: d.name,
        from: d.from,
        to: d.to,
        match: { confidence: d.match.confidence, reason: d.match.reason },
        proposals: proposals.filter((p) => p.migration === d.name),
        references: referencesOf(d.to, target, drafts),
        minConfidence: DEFAULT_MIN_CONFIDENCE,
      }),
    ),
  ];
  await mkdir(options.outDir, { recursive: true });
  for (const file of files) await writeFile(join(options.outDir, file.name), file.text);
  const decisions = proposals.filter(
    (p) => p.kind === 'decision' || (p.kind === 'column' && p.confidence < DEFAULT_MIN_CONFIDENCE),
  );
  return { files, matched: drafts.length, unmatched, decisions: decisions.length };
}

/**
 * A MySQL database is a schema, and a MySQL URL names the one to read: without --source-schema the
 * drafts come from it alone, not from every database the account can see on the server.
 */
function databaseOfMysqlUrl(url: string): readonly string[] | undefined {
  if (!isMysqlUrl(url)) return undefined;
  const database = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  return database === '' ? undefined : [database];
}

/** Single-column foreign keys of a target table that point at another drafted table. */
function referencesOf(
  table: QualifiedName,
  target: Catalog,
  drafts: readonly { name: string; to: QualifiedName }[],
): Record<string, string> {
  const foreignKeys =
    target.tables.find((t) => t.schema === table.schema && t.name === table.name)?.foreignKeys ?? [];
  return Object.fromEntries(
    foreignKeys.flatMap((fk) => {
      const parent = drafts.find(
        (d) => d.to.schema === fk.referencedSchema && d.to.name === fk.referencedTable,
      );
      const [column, ...more] = fk.columns;
      return parent && column !== undefined && more.length === 0 ? [[column, parent.name]] : [];
    }),
  );
}

function single<K extends string>(schemas: readonly string[], key: K): Partial<Record<K, string>> {
  const distinct = [...new Set(schemas)];
  return distinct.length === 1 ? ({ [key]: distinct[0] } as Partial<Record<K, string>>) : {};
}

async function refuseExistingSpecs(outDir: string, force: boolean): Promise<void> {
  if (force) return;
  const existing = await readdir(outDir).catch(() => [] as string[]);
  const specs = existing.filter((name) => /\.ya?ml$/i.test(name));
  if (specs.length === 0) return;
  throw new FerryError(
    errorDiagnostic(
      'init.exists',
      `${outDir} already holds ${specs.length} spec file${specs.length === 1 ? '' : 's'} (${specs.slice(0, 3).join(', ')}${specs.length > 3 ? ', …' : ''})`,
      {
        hint: 'choose another directory with --out, or pass --force to replace the drafts',
      },
    ),
  );
}
