// Throwaway spec directories for tests: a map of file name → YAML text written to a temp directory.

import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const PROJECT_YAML = `version: 1
source: { url: "\${env:FERRY_SOURCE_URL}", schema: legacy }
target: { url: "\${env:FERRY_TARGET_URL}", schema: app }
`;

/** Writes `files` (ferry.yaml is added unless given) and returns the directory. */
export async function writeSpecDir(
  files: Record<string, string | Buffer>,
  withProject = true,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-specs-'));
  const all = withProject && !('ferry.yaml' in files) ? { 'ferry.yaml': PROJECT_YAML, ...files } : files;
  for (const [name, content] of Object.entries(all)) {
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
  return dir;
}

/** A migration document; `extra` is appended as YAML lines. */
export function migrationYaml(name: string, from: string, to: string, extra = ''): string {
  return `migration: ${name}\nfrom: ${from}\nto: ${to}\n${extra}`;
}

export const TEST_ENV = {
  FERRY_SOURCE_URL: 'postgres://reader:source-secret-1@127.0.0.1:5432/legacy',
  FERRY_TARGET_URL: 'postgres://writer:target-secret-2@127.0.0.1:5432/app',
};
