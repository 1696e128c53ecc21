// Checks that need every migration at once: unique names, one migration per target table, and
// `ref`/`dependsOn` naming migrations that exist.

import { type Diagnostic, errorDiagnostic, type SourceLocation } from '../errors.js';
import { formatQualifiedName } from './qualified-name.js';
import { didYouMean } from './suggest.js';
import type { MigrationSpec } from './types.js';
import type { SpecDocument } from './yaml-documents.js';

export interface LocatedMigration {
  readonly migration: MigrationSpec;
  readonly document: SpecDocument;
}

export function checkAcrossMigrations(located: readonly LocatedMigration[]): Diagnostic[] {
  return [...duplicateNames(located), ...duplicateTargets(located), ...unknownReferences(located)];
}

function duplicateNames(located: readonly LocatedMigration[]): Diagnostic[] {
  const first = new Map<string, SourceLocation>();
  const diagnostics: Diagnostic[] = [];
  for (const { migration, document } of located) {
    const seen = first.get(migration.name);
    if (!seen) {
      first.set(migration.name, migration.location);
      continue;
    }
    diagnostics.push(
      errorDiagnostic('spec.duplicate-migration', `migration \`${migration.name}\` is defined twice`, {
        hint: `it is also defined at ${where(seen)}; rename one of them`,
        location: document.locate(['migration']),
      }),
    );
  }
  return diagnostics;
}

function duplicateTargets(located: readonly LocatedMigration[]): Diagnostic[] {
  const first = new Map<string, MigrationSpec>();
  const diagnostics: Diagnostic[] = [];
  for (const { migration, document } of located) {
    const table = formatQualifiedName(migration.to);
    const owner = first.get(table);
    if (!owner) {
      first.set(table, migration);
      continue;
    }
    if (owner.name === migration.name) continue; // already reported as a duplicate name
    diagnostics.push(
      errorDiagnostic(
        'spec.duplicate-target',
        `migrations \`${owner.name}\` and \`${migration.name}\` both write ${table}`,
        {
          hint: `one migration per target table (\`${owner.name}\` is at ${where(owner.location)}); merge the sources with a view or a \`where\``,
          location: document.locate(['to']),
        },
      ),
    );
  }
  return diagnostics;
}

function unknownReferences(located: readonly LocatedMigration[]): Diagnostic[] {
  const names = new Set(located.map((l) => l.migration.name));
  const diagnostics: Diagnostic[] = [];
  for (const { migration, document } of located) {
    for (const [column, spec] of migration.columns) {
      if (spec.ref === undefined || names.has(spec.ref)) continue;
      diagnostics.push(
        errorDiagnostic(
          'spec.unknown-ref',
          `column \`${column}\` refers to migration \`${spec.ref}\`, which does not exist`,
          {
            hint: didYouMean(spec.ref, names, knownMigrations(names)),
            location: document.locate(['columns', column, 'ref']),
          },
        ),
      );
    }
    migration.dependsOn.forEach((dependency, index) => {
      if (names.has(dependency)) return;
      diagnostics.push(
        errorDiagnostic(
          'spec.unknown-dependency',
          `\`dependsOn\` names migration \`${dependency}\`, which does not exist`,
          {
            hint: didYouMean(dependency, names, knownMigrations(names)),
            location: document.locate(['dependsOn', index]),
          },
        ),
      );
    });
  }
  return diagnostics;
}

function knownMigrations(names: ReadonlySet<string>): string {
  if (names.size === 0) return 'there are no migrations yet';
  if (names.size > 8) return '`ferry graph` lists every migration';
  return `known migrations: ${[...names].sort().join(', ')}`;
}

function where(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.column}`;
}
