// `ferry init`: drafts specs from both databases, the uncertain parts as commented decisions.

import { relative, resolve } from 'node:path';
import { errorDiagnostic, FerryError } from '../../errors.js';
import { initProject } from '../../init/init-project.js';
import type { CliContext } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';

export interface InitCommandOptions {
  readonly source?: string;
  readonly target?: string;
  readonly sourceSchema?: string[];
  readonly targetSchema?: string[];
  readonly out?: string;
  readonly force?: boolean;
}

export async function initCommand(context: CliContext, options: InitCommandOptions): Promise<ExitCodeValue> {
  const sourceUrl = options.source ?? context.env.FERRY_SOURCE_URL;
  const targetUrl = options.target ?? context.env.FERRY_TARGET_URL;
  if (!sourceUrl || !targetUrl) {
    throw new FerryError(
      errorDiagnostic('spec.env-unset', `no ${sourceUrl ? 'target' : 'source'} database given`, {
        hint: 'pass --source URL and --target URL, or set FERRY_SOURCE_URL and FERRY_TARGET_URL',
      }),
    );
  }
  const outDir = resolve(context.projectDir, options.out ?? 'specs');
  const result = await initProject({
    sourceUrl,
    targetUrl,
    outDir,
    ...(options.sourceSchema ? { sourceSchemas: options.sourceSchema } : {}),
    ...(options.targetSchema ? { targetSchemas: options.targetSchema } : {}),
    ...(options.force ? { force: true } : {}),
  });
  const where = relative(process.cwd(), outDir) || '.';
  if (context.json) {
    context.out(
      JSON.stringify(
        { ok: true, directory: where, ...result, files: result.files.map((f) => f.name) },
        null,
        2,
      ),
    );
    return ExitCode.ok;
  }
  context.out(
    `${context.style.green('✓')} drafted ${result.matched} migration${result.matched === 1 ? '' : 's'} in ${where}/`,
  );
  for (const file of result.files) context.out(`  ${file.name}`);
  if (result.unmatched.length > 0) {
    context.out(
      `${result.unmatched.length} target table(s) matched no source table; they are listed in ferry.yaml`,
    );
  }
  if (result.decisions > 0)
    context.out(`${result.decisions} column decision(s) are left as comments in the drafts`);
  context.out('next: export FERRY_SOURCE_URL and FERRY_TARGET_URL, review the drafts, then run `ferry plan`');
  return ExitCode.ok;
}
