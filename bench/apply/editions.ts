// The two editions of the apply benchmark, by where the rows come from: a PostgreSQL source (the
// `copy_pipe_*` floors, pgloader.load) or a MySQL/MariaDB one (the `mysql_pipe_*` floors,
// pgloader.mysql.load). The target is PostgreSQL in both; only what touches the source differs.

import { maskUrl } from '../../src/util/mask-url.js';
import type { Checks } from '../../test/support/checksums.js';
import { type BenchDatabase, waitForFerrySessionsGone } from './databases.js';
import {
  buildMysqlSource,
  MYSQL_CHECK_ROW_TEXT,
  MYSQL_CHECKS,
  MYSQL_DATABASE,
  MYSQL_PGLOADER_TABLES,
  mariadbClient,
  mysqlChecksums,
  mysqlFloorScript,
  mysqlSourceUrl,
} from './mysql-source.js';
import {
  buildSource,
  type Checksum,
  type Migration,
  PGLOADER_TABLES,
  REFERENCE_CHECKS,
  sourceChecksums,
} from './workload.js';

export interface SourceEdition {
  readonly kind: 'postgres' | 'mysql';
  /** The source as ferry is given it (FERRY_SOURCE_URL). */
  readonly url: string;
  /** How the results name the source (password masked). */
  readonly description: string;
  /** Builds the source at `scale`, once per benchmark; returns each source table's rows. */
  build(scale: number): Promise<Readonly<Record<Migration, number>>>;
  /** The checks of a ferry run with preserved keys. */
  readonly checks: Checks;
  /** What the target side of a check hashes per row (see workload.ts's checksum). */
  readonly targetRowText: string;
  /** The source side of `checks`, computed once: the source does not change between runs. */
  sourceChecksums(checks: Checks): Promise<ReadonlyMap<string, Checksum>>;
  /** A spec file's text as this edition's project has it. */
  specText(text: string): string;
  readonly floors: { readonly layered: string; readonly deferred: string };
  /** A floor script's environment besides PATH, HOME and DST. */
  readonly floorEnv: Readonly<Record<string, string>>;
  /** A floor script's text as it is run. */
  floorScript(text: string): string;
  /** The load file in bench/floors/, and its placeholders filled in. */
  readonly pgloaderLoad: string;
  pgloaderFile(template: string, targetUrl: string): string;
  /** The tables pgloader creates in the target, and their schema (dropped before every run). */
  readonly pgloaderTables: Readonly<Record<Migration, string>>;
  readonly pgloaderSchema: string;
  /** The ID-remap and kill + resume variants (the PostgreSQL edition's). */
  readonly variants: boolean;
  /** Waits until no session of a killed ferry is left on the source. */
  waitForFerrySessionsGone(): Promise<void>;
}

/** The URL in the scheme pgloader documents, `postgresql://`. */
export function pgloaderUrl(url: string): string {
  return url.replace(/^postgres:\/\//, 'postgresql://');
}

export function postgresEdition(source: BenchDatabase): SourceEdition {
  return {
    kind: 'postgres',
    url: source.url,
    description: `PostgreSQL ${maskUrl(source.url)}`,
    build: (scale) => buildSource(source, scale),
    checks: REFERENCE_CHECKS,
    targetRowText: 't::text',
    sourceChecksums: (checks) => sourceChecksums(source, checks),
    specText: (text) => text,
    floors: { layered: 'copy_pipe_layers.sh', deferred: 'copy_pipe_deferred.sh' },
    floorEnv: { SRC: source.url },
    floorScript: (text) => text,
    pgloaderLoad: 'pgloader.load',
    pgloaderFile: (template, targetUrl) =>
      template.replaceAll('{{SRC}}', pgloaderUrl(source.url)).replaceAll('{{DST}}', pgloaderUrl(targetUrl)),
    pgloaderTables: PGLOADER_TABLES,
    pgloaderSchema: 'legacy',
    variants: true,
    waitForFerrySessionsGone: () => waitForFerrySessionsGone(source),
  };
}

/** The MySQL edition on the server of `serverUrl` (its database part ignored: MYSQL_DATABASE is used). */
export function mysqlEdition(serverUrl: string): SourceEdition {
  const url = mysqlSourceUrl(serverUrl);
  const client = mariadbClient(serverUrl);
  return {
    kind: 'mysql',
    url,
    description: `MySQL ${maskUrl(url)}`,
    build: (scale) => buildMysqlSource(serverUrl, scale),
    checks: MYSQL_CHECKS,
    targetRowText: MYSQL_CHECK_ROW_TEXT,
    sourceChecksums: (checks) => mysqlChecksums(url, checks),
    specText: (text) =>
      text
        .replaceAll('legacy.', `${MYSQL_DATABASE}.`)
        .replace(/^(\s*schema:) legacy$/m, `$1 ${MYSQL_DATABASE}`),
    floors: { layered: 'mysql_pipe_layers.sh', deferred: 'mysql_pipe_deferred.sh' },
    floorEnv: { MYSQL: client.options, ...client.env },
    floorScript: mysqlFloorScript,
    pgloaderLoad: 'pgloader.mysql.load',
    pgloaderFile: (template, targetUrl) =>
      template.replaceAll('{{MYSQL}}', url).replaceAll('{{DST}}', pgloaderUrl(targetUrl)),
    pgloaderTables: MYSQL_PGLOADER_TABLES,
    pgloaderSchema: MYSQL_DATABASE,
    variants: false,
    // A killed process's MySQL sessions end with its sockets; ferry's run lock lives in the target.
    waitForFerrySessionsGone: async () => {},
  };
}
