// The connection URLs of the project file, read on their own: when the specs as a whole do not load
// (a broken migration, say), doctor still checks both connections.

import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { interpolateEnv } from '../spec/env.js';
import { readSpecFile } from '../spec/read-spec-file.js';
import { documentKind } from '../spec/schema-validation.js';
import { parseSpecDocuments } from '../spec/yaml-documents.js';

export interface ProjectUrls {
  readonly source?: string;
  readonly target?: string;
}

/**
 * `source.url` and `target.url` of the first project document under `specsDir`, with `${env:…}`
 * filled in. A side whose URL is missing or names an unset variable is left out.
 *
 * @example
 * const urls = await readProjectUrls('specs', process.env); // { source: 'postgres://…', target: 'postgres://…' }
 */
export async function readProjectUrls(
  specsDir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ProjectUrls> {
  const entries = await readdir(specsDir, { recursive: true, withFileTypes: true }).catch(() => []);
  const paths = entries
    .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  for (const path of paths) {
    const read = await readSpecFile(path, relative(specsDir, path));
    if ('diagnostic' in read) continue;
    for (const document of parseSpecDocuments(read.text, path).documents) {
      const data = document.data;
      if (data === null || typeof data !== 'object' || Array.isArray(data)) continue;
      const fields = data as Record<string, unknown>;
      if (documentKind(fields) !== 'project' || !('source' in fields || 'target' in fields)) continue;
      return { ...urlOf(fields, 'source', env), ...urlOf(fields, 'target', env) };
    }
  }
  return {};
}

function urlOf(
  data: Record<string, unknown>,
  side: 'source' | 'target',
  env: Readonly<Record<string, string | undefined>>,
): ProjectUrls {
  const url = (data[side] as { url?: unknown } | undefined)?.url;
  if (typeof url !== 'string') return {};
  const interpolated = interpolateEnv(url, { env, requireSet: true });
  if (interpolated.problems.length > 0 || typeof interpolated.value !== 'string') return {};
  return { [side]: interpolated.value };
}
