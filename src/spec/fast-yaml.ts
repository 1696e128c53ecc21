// The fast way to read a spec file: js-yaml, about five times faster than the full document model,
// with a listener that records where every node starts so that diagnostics keep exact positions.
// It handles plain, valid YAML only; anything else (anchors, aliases, merge keys, any parse error)
// returns undefined and goes the full way (yaml-documents.ts), whose messages and limits apply.

import jsYaml from 'js-yaml';
import type { SourceLocation } from '../errors.js';
import type { PathSegment, SpecDocument } from './yaml-documents.js';
import { MAX_NESTING_DEPTH } from './yaml-limits.js';

interface NodeRecord {
  /** Where the parser started looking for the node: at or before its first character. */
  readonly open: number;
  end: number;
  kind: string | null;
  result: unknown;
  readonly children: NodeRecord[];
}

/** The parser state js-yaml passes to listeners; `anchorMap` is there at run time but not in its types. */
type ParserState = jsYaml.State & { readonly anchorMap?: Record<string, unknown> };

class NotPlain extends Error {}

/** The documents of `text`, or undefined when the file needs the full parser. */
export function parsePlainSpecDocuments(text: string, file: string): SpecDocument[] | undefined {
  const root: NodeRecord = { open: 0, end: 0, kind: null, result: undefined, children: [] };
  const stack: NodeRecord[] = [root];
  const data: unknown[] = [];
  try {
    jsYaml.loadAll(text, (document) => void data.push(document), {
      schema: jsYaml.CORE_SCHEMA,
      filename: file,
      listener(event, state: ParserState) {
        if (event === 'open') {
          // js-yaml recurses once per level; the full parser refuses what nests this deep.
          if (stack.length > MAX_NESTING_DEPTH) throw new NotPlain();
          stack.push({
            open: state.position,
            end: state.position,
            kind: null,
            result: undefined,
            children: [],
          });
          return;
        }
        // An anchor means aliases may follow: alias limits and merges belong to the full parser.
        if (!state.anchorMap || Object.keys(state.anchorMap).length > 0) throw new NotPlain();
        const node = stack.pop() as NodeRecord;
        node.end = state.position;
        node.kind = state.kind;
        node.result = state.result as unknown;
        (stack[stack.length - 1] as NodeRecord).children.push(unwrap(node));
      },
    });
  } catch {
    return undefined;
  }
  // Empty or null documents, merge keys and keys that are collections are left to the full parser,
  // which tells them apart (js-yaml would turn `[a]: b` into the key `a` without a word).
  const documents = root.children;
  if (data.some((d) => d === null || d === undefined) || documents.length !== data.length) return undefined;
  if (documents.some(hasMergeOrCollectionKey)) return undefined;
  const lines = lineStarts(text);
  return documents.map((node, i) => ({
    file,
    data: data[i],
    locate: (path, target = 'value') => toLocation(file, lines, offsetOf(text, node, path, target)),
  }));
}

/** Block sequence entries arrive wrapped in a node of the same value; keep the inner one. */
function unwrap(node: NodeRecord): NodeRecord {
  const [only, ...rest] = node.children;
  if (only && rest.length === 0 && only.result === node.result && only.kind === node.kind) return only;
  return node;
}

/** `<<` merges are resolved by the full parser only; js-yaml's core schema would keep them as keys. */
function hasMergeOrCollectionKey(node: NodeRecord): boolean {
  const special = ([key]: [NodeRecord, NodeRecord]) =>
    key.result === '<<' || key.kind === 'mapping' || key.kind === 'sequence';
  if (node.kind === 'mapping' && pairs(node).some(special)) return true;
  return node.children.some(hasMergeOrCollectionKey);
}

/** Key/value pairs of a mapping node; a trailing empty node the parser leaves behind is ignored. */
function pairs(node: NodeRecord): Array<[NodeRecord, NodeRecord]> {
  const result: Array<[NodeRecord, NodeRecord]> = [];
  for (let i = 0; i + 1 < node.children.length; i += 2) {
    result.push([node.children[i] as NodeRecord, node.children[i + 1] as NodeRecord]);
  }
  return result;
}

function offsetOf(
  text: string,
  root: NodeRecord,
  path: readonly PathSegment[],
  target: 'key' | 'value',
): number {
  let node = root;
  for (const [index, segment] of path.entries()) {
    const isLast = index === path.length - 1;
    if (node.kind === 'mapping') {
      const pair = pairs(node).find(([key]) => String(key.result) === String(segment));
      if (!pair) return start(text, node);
      const [key, value] = pair;
      if (isLast && target === 'key') return start(text, key);
      if (isEmpty(text, value)) return value.open;
      node = value;
    } else if (node.kind === 'sequence') {
      const item = node.children[Number(segment)];
      if (!item) return start(text, node);
      node = item;
    } else {
      return start(text, node);
    }
  }
  return start(text, node);
}

/** A value written as nothing (`key:` then a line break): it is placed right after the colon. */
function isEmpty(text: string, node: NodeRecord): boolean {
  return node.kind === null && node.children.length === 0 && start(text, node) >= node.end;
}

/** The node's first character: after the spaces, line breaks and comments before it. */
function start(text: string, node: NodeRecord): number {
  let i = node.open;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
    else if (c === '#') while (i < text.length && text[i] !== '\n') i++;
    else break;
  }
  return i;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function toLocation(file: string, starts: readonly number[], offset: number): SourceLocation {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((starts[mid] as number) <= offset) low = mid;
    else high = mid - 1;
  }
  return { file, line: low + 1, column: offset - (starts[low] as number) + 1 };
}
