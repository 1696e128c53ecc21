// Parses a spec file into YAML documents that remember where every value came from, so that every
// later check (schema, names, expressions, references) can point at file:line:column.

import {
  Composer,
  type CST,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type ParsedNode,
  Parser,
  visit,
} from 'yaml';
import { type Diagnostic, errorDiagnostic, type SourceLocation } from '../errors.js';
import { parsePlainSpecDocuments } from './fast-yaml.js';
import { MAX_NESTING_DEPTH } from './yaml-limits.js';

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
    // parseAllDocuments in two steps: the syntax tree is built without recursion, and its depth is
    // checked before the composer walks it recursively (see MAX_NESTING_DEPTH).
    const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
    const tooDeep = deepestOffset(tokens);
    if (tooDeep !== undefined) return { documents: [], diagnostics: [nestingTooDeep(at(tooDeep))] };
    const composer = new Composer({ merge: true, uniqueKeys: true });
    parsed = Array.from(composer.compose(tokens));
  } catch (error) {
    return { documents: [], diagnostics: [unparseable(file, error)] };
  }

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
  const unreadable = structuralProblem(doc, at);
  if (unreadable) return { diagnostic: unreadable };
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

/**
 * What no plain data can hold: an alias inside the node its anchor names (`a: &a [*a]`, a value that
 * contains itself) and a key that is a list, a mapping or an object (`[a, b]: c`, `!!binary …: c`).
 */
function structuralProblem(
  doc: Document.Parsed,
  at: (offset: number) => SourceLocation,
): Diagnostic | undefined {
  let problem: Diagnostic | undefined;
  visit(doc, {
    Alias(_key, alias, path) {
      const target = alias.resolve(doc);
      if (target === undefined || !path.includes(target)) return undefined;
      problem = errorDiagnostic(
        'spec.alias-limit',
        `alias \`*${alias.source}\` is inside the node its anchor names, so its value never ends`,
        { hint: 'an alias can repeat a node only from outside it', location: at(rangeStart(alias)) },
      );
      return visit.BREAK;
    },
    Pair(_key, pair) {
      const key = isAlias(pair.key) ? pair.key.resolve(doc) : pair.key;
      // `!!binary …` and `!!timestamp …` read as objects too, which JavaScript keys cannot be.
      const objectScalar = isScalar(key) && key.value !== null && typeof key.value === 'object';
      if (!isMap(key) && !isSeq(key) && !objectScalar) return undefined;
      problem = errorDiagnostic(
        'spec.schema',
        'a key is a list, a mapping or a tagged value; keys are names',
        {
          hint: 'write the key as a plain name, in quotes if it holds [ ] { } or a colon',
          location: at(rangeStart(pair.key as Node)),
        },
      );
      return visit.BREAK;
    },
  });
  return problem;
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
  // The parser reports its own stack overflow as a syntax error; the depth check makes it rare.
  if (/Maximum call stack/.test(error.message)) return nestingTooDeep(location);
  return errorDiagnostic('spec.syntax', `YAML syntax: ${firstLine(error.message)}`, {
    hint: unquotedReferenceInFlow(text, location.line)
      ? 'inside { … } or [ … ], write an environment reference in quotes: url: "${env:NAME}"'
      : 'check indentation, quoting and colons near this position',
    location,
  });
}

/**
 * `{ url: ${env:X} }` is the most common YAML mistake in specs: braces are flow indicators. True when
 * a `${env:` follows an opening brace or bracket with no quote between them; one pass, so that a long
 * line of brackets costs no more than its length.
 */
function unquotedReferenceInFlow(text: string, line: number): boolean {
  const content = text.split('\n')[line - 1] ?? '';
  let lastOpening = -1;
  let lastQuote = -1;
  for (let i = 0; i < content.length; i++) {
    const c = content[i];
    if (c === '$' && lastOpening > lastQuote && content.startsWith('${env:', i)) return true;
    if (c === '{' || c === '[') lastOpening = i;
    else if (c === "'" || c === '"') lastQuote = i;
  }
  return false;
}

type Nested = {
  readonly type?: string;
  readonly offset?: number;
  readonly value?: unknown;
  readonly key?: unknown;
};

/** The offset of the first collection nested deeper than MAX_NESTING_DEPTH, walking without recursion. */
function deepestOffset(tokens: readonly CST.Token[]): number | undefined {
  const pending: Array<{ token: Nested; depth: number }> = tokens.map((token) => ({ token, depth: 0 }));
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { token, depth } = next;
    const type = token.type ?? '';
    const level =
      type === 'block-map' || type === 'block-seq' || type === 'flow-collection' ? depth + 1 : depth;
    if (level > MAX_NESTING_DEPTH) return token.offset ?? 0;
    const items = (token as { items?: readonly Nested[] }).items ?? [];
    for (const child of [token.value, token.key, ...items.flatMap((item) => [item.key, item.value])]) {
      if (child !== null && typeof child === 'object') pending.push({ token: child as Nested, depth: level });
    }
  }
  return undefined;
}

function nestingTooDeep(location: SourceLocation): Diagnostic {
  return errorDiagnostic(
    'spec.syntax',
    `YAML could not be read: nesting too deep (more than ${MAX_NESTING_DEPTH} levels)`,
    { hint: 'simplify the document; specs are shallow mappings', location },
  );
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
