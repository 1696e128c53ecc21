// Renders diagnostics: `file:line:column: error[code]: message` with an indented hint for people,
// a JSON array for machines, and `::error file=…::` workflow commands under GitHub Actions.

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
export function githubAnnotation(diagnostic: Diagnostic): string {
  const message = diagnostic.hint ? `${diagnostic.message}\n${diagnostic.hint}` : diagnostic.message;
  return workflowAnnotation(diagnostic.severity, message, {
    title: `ferry ${diagnostic.code}`,
    location: diagnostic.location,
  });
}

/** `::error …::` or `::warning …::` with a title and, when given, the file position it annotates. */
export function workflowAnnotation(
  severity: Severity,
  message: string,
  options: { readonly title: string; readonly location?: SourceLocation | undefined },
): string {
  const properties = [
    ...(options.location
      ? [
          `file=${escapeProperty(options.location.file)}`,
          `line=${options.location.line}`,
          `col=${options.location.column}`,
        ]
      : []),
    `title=${escapeProperty(options.title)}`,
  ];
  return `::${severity} ${properties.join(',')}::${escapeData(message)}`;
}

function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}
