// Renders diagnostics: `file:line:column: error[code]: message` with an indented hint for people,
// a JSON array for machines, and `::error file=…::` workflow commands under GitHub Actions.

import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Diagnostic, Severity, SourceLocation } from '../errors.js';
import { plainStyle, type Style } from './style.js';

export function formatDiagnostic(diagnostic: Diagnostic, style: Style = plainStyle): string {
  const where = diagnostic.location
    ? `${diagnostic.location.file}:${diagnostic.location.line}:${diagnostic.location.column}: `
    : '';
  const severity =
    diagnostic.severity === 'error'
      ? style.red(`error[${diagnostic.code}]`)
      : style.yellow(`warning[${diagnostic.code}]`);
  const head = `${style.bold(where)}${severity}: ${diagnostic.message}`;
  return diagnostic.hint ? `${head}\n  ${style.dim('hint:')} ${diagnostic.hint}` : head;
}

export function formatDiagnostics(diagnostics: readonly Diagnostic[], style: Style = plainStyle): string {
  return diagnostics.map((d) => formatDiagnostic(d, style)).join('\n');
}

export function summarizeDiagnostics(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const parts = [plural(errors, 'error'), ...(warnings > 0 ? [plural(warnings, 'warning')] : [])];
  return parts.join(', ');
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * A GitHub Actions workflow command that annotates the file in the pull request. Properties and
 * message are escaped as the runner expects (% CR LF, plus : and , inside properties).
 */
export function githubAnnotation(diagnostic: Diagnostic, options: AnnotationOptions = {}): string {
  const message = diagnostic.hint ? `${diagnostic.message}\n${diagnostic.hint}` : diagnostic.message;
  return workflowAnnotation(diagnostic.severity, message, {
    ...options,
    title: `ferry ${diagnostic.code}`,
    location: diagnostic.location,
  });
}

export interface AnnotationOptions {
  /**
   * $GITHUB_WORKSPACE: GitHub places an annotation by its path from the repository root, while ferry
   * names files from the directory it runs in, which a workflow may set deeper.
   */
  readonly workspace?: string | undefined;
  /** Where relative file names start; the process's working directory unless given. */
  readonly cwd?: string;
}

/** `::error …::` or `::warning …::` with a title and, when given, the file position it annotates. */
export function workflowAnnotation(
  severity: Severity,
  message: string,
  options: { readonly title: string; readonly location?: SourceLocation | undefined } & AnnotationOptions,
): string {
  const properties = [
    ...(options.location
      ? [
          `file=${escapeProperty(annotationPath(options.location.file, options))}`,
          `line=${options.location.line}`,
          `col=${options.location.column}`,
        ]
      : []),
    `title=${escapeProperty(options.title)}`,
  ];
  return `::${severity} ${properties.join(',')}::${escapeData(message)}`;
}

/** The file as GitHub finds it: from the workspace root when it lies inside it, else as given. */
export function annotationPath(file: string, options: AnnotationOptions = {}): string {
  if (!options.workspace) return file;
  const path = relative(options.workspace, resolve(options.cwd ?? process.cwd(), file));
  return path === '' || path.startsWith('..') || isAbsolute(path) ? file : path.split(sep).join('/');
}

function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}
