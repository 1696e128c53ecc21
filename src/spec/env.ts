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
}

export interface InterpolateOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** When false, unset variables are not problems (offline validation). */
  readonly requireSet: boolean;
}

/** Replaces `${env:NAME}` in every string of `value`; `$${` stands for a literal `${`. */
export function interpolateEnv(value: unknown, options: InterpolateOptions): Interpolated {
  const problems: EnvProblem[] = [];
  const walk = (node: unknown, path: PathSegment[]): unknown => {
    if (typeof node === 'string') return interpolateString(node, path, options, problems);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return node;
  };
  return { value: walk(value, []), problems };
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
    return found;
  });
}
