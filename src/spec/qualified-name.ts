// Table names in specs: `schema.table`, with double quotes around a part that contains a dot or a
// quote ("Legacy"."Order ""Lines"""). Parts are taken exactly as written (no case folding): ferry
// always quotes identifiers, so `Album` names the table Album.

import type { QualifiedName } from './types.js';

export type ParsedName = { readonly parts: readonly string[] } | { readonly error: string };

/** Splits a possibly quoted, dot-separated name into its parts. */
export function splitQualifiedName(text: string): ParsedName {
  const parts: string[] = [];
  let i = 0;
  while (i <= text.length) {
    let part = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) return { error: 'a quoted part is not closed' };
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += text[i];
        i++;
      }
      if (i < text.length && text[i] !== '.')
        return { error: 'a quoted part must be followed by `.` or end the name' };
    } else {
      const end = text.indexOf('.', i);
      part = text.slice(i, end === -1 ? text.length : end);
      if (part.includes('"')) return { error: 'quote the whole part, as in "My Table"' };
      i = end === -1 ? text.length : end;
    }
    if (part === '') return { error: 'a part of the name is empty' };
    parts.push(part);
    if (i >= text.length) break;
    i++; // the dot
    if (i === text.length) return { error: 'the name ends with a dot' };
  }
  return { parts };
}

/** Resolves a spec's table name (string or `{ schema, table }`) against the default schema. */
export function resolveTableName(
  value: string | { schema?: string; table: string },
  defaultSchema: string,
): { readonly name: QualifiedName } | { readonly error: string } {
  if (typeof value !== 'string')
    return { name: { schema: value.schema ?? defaultSchema, name: value.table } };
  const parsed = splitQualifiedName(value);
  if ('error' in parsed) return parsed;
  const [first, second, third] = parsed.parts;
  if (third !== undefined) return { error: 'use schema.table (at most one dot outside quotes)' };
  if (second === undefined) return { name: { schema: defaultSchema, name: first as string } };
  return { name: { schema: first as string, name: second } };
}

/** The name as a person reads it: quotes only where a part needs them. */
export function formatQualifiedName(name: QualifiedName): string {
  return `${formatIdentifier(name.schema)}.${formatIdentifier(name.name)}`;
}

/** One part of a spec table name as a person reads it: quoted only where a dot or a quote needs it. */
export function formatIdentifier(part: string): string {
  return /^[A-Za-z_][A-Za-z0-9_$]*$/.test(part) ? part : `"${part.replaceAll('"', '""')}"`;
}

/** PostgreSQL truncates identifiers longer than 63 bytes, which would silently rename things. */
export const MAX_IDENTIFIER_BYTES = 63;

export function identifierTooLong(identifier: string): boolean {
  return Buffer.byteLength(identifier, 'utf8') > MAX_IDENTIFIER_BYTES;
}
