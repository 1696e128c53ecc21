// `${env:NAME}` interpolation. Secrets live only in the environment: the loader substitutes values
// here and every message names the variable, never its value.

import type { PathSegment } from './yaml-documents.js';

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface EnvProblem {
  readonly path: readonly PathSegment[];
  readonly kind: 'unset' | 'syntax';
  /** The variable name (unset) or the reference text as written (syntax). */
  readonly text: string;
}

export interface Interpolated {
  readonly value: unknown;
  readonly problems: readonly EnvProblem[];
  /** The variables that were substituted, by name, with their values (for redactEnvValues). */
  readonly substituted: ReadonlyMap<string, string>;
}

export interface InterpolateOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** When false, unset variables are not problems (offline validation). */
  readonly requireSet: boolean;
}

/** Replaces `${env:NAME}` in every string of `value`; `$${` stands for a literal `${`. */
export function interpolateEnv(value: unknown, options: InterpolateOptions): Interpolated {
  const problems: EnvProblem[] = [];
  const substituted = new Map<string, string>();
  const walk = (node: unknown, path: PathSegment[]): unknown => {
    if (typeof node === 'string') return interpolateString(node, path, options, problems, substituted);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return node;
  };
  return { value: walk(value, []), problems, substituted };
}

/**
 * `text` with every value of `substituted` written back as its `${env:NAME}`. A long value (a URL, a
 * credential) is replaced wherever it appears, next to anything. A shorter one counts only as a whole
 * word, so that `app` does not rewrite `mapping` and `Europe/Pari` leaves the suggestion
 * `Europe/Paris` as it is.
 */
export function redactEnvValues(text: string, substituted: ReadonlyMap<string, string>): string {
  let redacted = text;
  // Longest first: a value that contains another is replaced whole.
  const byLength = [...substituted].sort(([, a], [, b]) => b.length - a.length);
  for (const [name, value] of byLength) {
    if (!redacted.includes(value)) continue;
    const reference = `\${env:${name}}`;
    redacted =
      value.length >= WHOLE_WORD_BELOW
        ? redacted.split(value).join(reference)
        : redacted.replace(wholeWordPattern(value), () => reference);
  }
  return redacted;
}

const WHOLE_WORD_BELOW = 16;

const WORD_CHARACTER = /[\p{L}\p{N}_]/u;

function wholeWordPattern(value: string): RegExp {
  const escaped = value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const before = WORD_CHARACTER.test(value.at(0) ?? '') ? '(?<![\\p{L}\\p{N}_])' : '';
  const after = WORD_CHARACTER.test(value.at(-1) ?? '') ? '(?![\\p{L}\\p{N}_])' : '';
  return new RegExp(`${before}${escaped}${after}`, 'gu');
}

/** True when the string takes its value from the environment (the whole or a part of it). */
export function referencesEnv(text: string): boolean {
  return /(^|[^$])\$\{env:/.test(text);
}

function interpolateString(
  text: string,
  path: readonly PathSegment[],
  options: InterpolateOptions,
  problems: EnvProblem[],
  substituted: Map<string, string>,
): string {
  if (!text.includes('${')) return text;
  return text.replace(REFERENCE, (whole, inner: string | undefined) => {
    if (whole === '$${') return '${';
    const name = inner?.startsWith('env:') ? inner.slice(4) : undefined;
    if (name === undefined || !VARIABLE_NAME.test(name)) {
      problems.push({ path, kind: 'syntax', text: whole });
      return whole;
    }
    const found = options.env[name];
    if (found === undefined || found === '') {
      // Left as written, so the rest of validation sees what the user wrote rather than an empty value.
      if (options.requireSet) problems.push({ path, kind: 'unset', text: name });
      return whole;
    }
    substituted.set(name, found);
    return found;
  });
}
