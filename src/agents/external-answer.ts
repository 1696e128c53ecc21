// Reads what an external agent wrote on stdout: exactly one JSON document matching AgentAnswer. Every
// problem becomes `agent.invalid-answer`, naming the agent and the first field that is wrong.

import type { z } from 'zod';
import { errorDiagnostic, FerryError } from '../errors.js';
import { AgentAnswer } from './protocol.js';

const ONE_DOCUMENT_HINT =
  'the answer must be one JSON document: { "proposals": [...] }; write logs to stderr, not stdout';
const SCHEMA_HINT = 'see schemas/agent-protocol.schema.json';

/** Longest excerpt of a parser's message quoted back; JSON.parse may quote the input itself. */
const MAX_REASON_LENGTH = 200;

/**
 * Parses an agent's stdout as one JSON document (whitespace around it allowed) and validates it
 * with AgentAnswer. `agent` is how messages name the agent (see describeAgent).
 *
 * @example
 * parseAgentAnswer('agent `llm` (mapping)', new TextEncoder().encode('{ "proposals": [] }'));
 * // → { proposals: [] }
 */
export function parseAgentAnswer(agent: string, stdout: Uint8Array): AgentAnswer {
  const text = decodeUtf8(agent, stdout);
  if (text.trim() === '') throw invalid(`${agent} wrote nothing on stdout`, ONE_DOCUMENT_HINT);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? cut(error.message) : 'not JSON';
    throw invalid(`${agent} did not answer with one JSON document: ${reason}`, ONE_DOCUMENT_HINT);
  }
  const parsed = AgentAnswer.safeParse(document);
  if (parsed.success) return parsed.data;
  throw invalid(`${agent} gave an invalid answer: ${describeIssues(parsed.error.issues)}`, SCHEMA_HINT);
}

function decodeUtf8(agent: string, bytes: Uint8Array): string {
  try {
    // fatal: a mis-encoded answer is refused rather than silently turned into U+FFFD in a reason.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalid(`${agent} wrote stdout that is not UTF-8`, ONE_DOCUMENT_HINT);
  }
}

/** The first issue with its path, e.g. `proposals[2].confidence: Too big: expected number to be <=1`. */
function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const first = issues[0];
  if (!first) return 'it does not match the protocol';
  const others = issues.length - 1;
  const more = others === 0 ? '' : ` (and ${others} more ${others === 1 ? 'problem' : 'problems'})`;
  const path = formatPath(first.path);
  return `${path === '' ? '' : `${path}: `}${cut(first.message)}${more}`;
}

/** A zod issue path as a JavaScript accessor: proposals[2].confidence; empty for the document itself. */
function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) text += text === '' ? key : `.${key}`;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text;
}

function cut(text: string): string {
  return text.length > MAX_REASON_LENGTH ? `${text.slice(0, MAX_REASON_LENGTH)}…` : text;
}

function invalid(message: string, hint: string): FerryError {
  return new FerryError(errorDiagnostic('agent.invalid-answer', message, { hint }));
}
