// Parses a spec file into YAML documents that remember where every value came from, so that every
// later check (schema, names, expressions, references) can point at file:line:column.

import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type ParsedNode,
  parseAllDocuments,
} from 'yaml';
import { type Diagnostic, errorDiagnostic, type SourceLocation } from '../errors.js';
import { parsePlainSpecDocuments } from './fast-yaml.js';

/** Alias uses allowed per document: enough for shared column blocks, far too few for a "billion laughs". */
export const MAX_ALIAS_COUNT = 100;

export type PathSegment = string | number;

export interface SpecDocument {
  readonly file: string;
  /** The document as plain data, before environment interpolation. */
  readonly data: unknown;
  /** Where the node at `path` is; `target: 'key'` points at a mapping key instead of its value. */
  locate(path: readonly PathSegment[], target?: 'key' | 'value'): SourceLocation;
}

export interface ParsedFile {
  readonly documents: readonly SpecDocument[];
  readonly diagnostics: readonly Diagnostic[];
}

export function parseSpecDocuments(text: string, file: string): ParsedFile {
  const plain = parsePlainSpecDocuments(text, file);
  if (plain) return { documents: plain, diagnostics: [] };
  return parseWithDocumentModel(text, file);
}

/** The full YAML document model: anchors, merge keys, alias limits and precise syntax errors. */
export function parseWithDocumentModel(text: string, file: string): ParsedFile {
  const lineCounter = new LineCounter();
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  let parsed: Document.Parsed[];
  try {
    parsed = parseAllDocuments(text, { lineCounter, merge: true, prettyErrors: false, uniqueKeys: true }) as
      | Document.Parsed[]
      | never;
  } catch (error) {
    return { documents: [], diagnostics: [unparseable(file, error)] };
  }
  if (!Array.isArray(parsed)) return { documents: [], diagnostics: [] };

  const documents: SpecDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const doc of parsed) {
    if (doc.errors.length > 0) {
      // After the first error the parser is out of step with the text; what follows is mostly echo.
      diagnostics.push(yamlErrorDiagnostic(doc.errors[0] as YamlErrorLike, text, at));
      continue;
    }
    if (doc.contents === null) continue; // an empty document between two `---` separators
    const data = toPlainData(doc, at);
    if ('diagnostic' in data) {
      diagnostics.push(data.diagnostic);
      continue;
    }
    const root = doc.contents as ParsedNode;
    documents.push({
      file,
      data: data.value,
      locate: (path, target = 'value') => at(offsetOf(root, path, target)),
    });
  }
  return { documents, diagnostics };
}

function toPlainData(
  doc: Document.Parsed,
  at: (offset: number) => SourceLocation,
): { value: unknown } | { diagnostic: Diagnostic } {
  try {
    return { value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (error) {
    const location = at(doc.contents?.range[0] ?? 0);
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      return {
        diagnostic: errorDiagnostic(
          'spec.alias-limit',
          `anchors and aliases expand too far (more than ${MAX_ALIAS_COUNT} alias uses in one document)`,
          { hint: 'write the repeated parts out, or share fewer of them through aliases', location },
        ),
      };
    }
    return { diagnostic: unparseable(location.file, error, location) };
  }
}

interface YamlErrorLike {
  code: string;
  message: string;
  pos: [number, number];
}

function yamlErrorDiagnostic(
  error: YamlErrorLike,
  text: string,
  at: (offset: number) => SourceLocation,
): Diagnostic {
  const location = at(error.pos[0]);
  if (error.code === 'DUPLICATE_KEY') {
    const key = /^["']?([^:\n"']+)/.exec(text.slice(error.pos[0]))?.[1]?.trim() || 'a key';
    return errorDiagnostic('spec.duplicate-key', `\`${key}\` appears twice in one mapping`, {
      hint: 'keep one of the two entries; in `columns`, each target column is mapped once',
      location,
    });
  }
  return errorDiagnostic('spec.syntax', `YAML syntax: ${firstLine(error.message)}`, {
    hint: unquotedReferenceInFlow(text, location.line)
      ? 'inside { … } or [ … ], write an environment reference in quotes: url: "${env:NAME}"'
      : 'check indentation, quoting and colons near this position',
    location,
  });
}

/** `{ url: ${env:X} }` is the most common YAML mistake in specs: braces are flow indicators. */
function unquotedReferenceInFlow(text: string, line: number): boolean {
  const content = text.split('\n')[line - 1] ?? '';
  return /[{[][^'"]*\$\{env:/.test(content);
}

function unparseable(file: string, error: unknown, location?: SourceLocation): Diagnostic {
  const reason = error instanceof RangeError ? 'nesting too deep' : firstLine(String(error));
  return errorDiagnostic('spec.syntax', `YAML could not be read: ${reason}`, {
    hint: 'simplify the document; specs are shallow mappings',
    location: location ?? { file, line: 1, column: 1 },
  });
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '').trim();
}

/** Walks the YAML tree along `path`; stops at the deepest node that exists. */
function offsetOf(root: Node, path: readonly PathSegment[], target: 'key' | 'value'): number {
  let node: Node = root;
  for (const [index, segment] of path.entries()) {
    const isLast = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) return rangeStart(node);
      if (isLast && target === 'key') return rangeStart(pair.key as Node);
      if (!pair.value) return rangeStart(pair.key as Node);
      node = pair.value as Node;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (!item) return rangeStart(node);
      node = item as Node;
    } else {
      return rangeStart(node);
    }
    if (isAlias(node)) return rangeStart(node);
  }
  return rangeStart(node);
}

function rangeStart(node: Node): number {
  return node.range?.[0] ?? 0;
}
