#!/usr/bin/env node
// An example external agent for ferry: for mapping requests, it maps the columns a spec leaves open
// from a list of legacy abbreviations (synonyms.json, next to this file). No dependencies.
//
// Protocol: one JSON request on stdin, one JSON answer on stdout ({ "proposals": [...] }), logs on
// stderr. See schemas/agent-protocol.schema.json and README.md in this directory.

import { readFile } from 'node:fs/promises';

const CONFIDENCE = 0.9;
const SYNONYMS_FILE = new URL('./synonyms.json', import.meta.url);

const request = JSON.parse(await readStdin());
if (request.protocol !== 1) {
  // A non-zero exit makes ferry report agent.crashed with this last line of stderr.
  process.stderr.write(`synonyms-agent: protocol ${request.protocol} is not supported (only 1)\n`);
  process.exitCode = 2;
} else {
  const proposals = request.role === 'mapping' ? proposeMappings(request, await readSynonyms()) : [];
  process.stdout.write(`${JSON.stringify({ proposals })}\n`);
}

/** Column proposals for every open target column whose legacy synonym exists in the source table. */
function proposeMappings(request, synonyms) {
  const proposals = [];
  for (const migration of request.migrations) {
    const source = findTable(request.source, migration.from);
    if (!source) continue;
    const sourceColumns = new Set(source.columns.map((column) => column.name));
    for (const column of migration.openColumns) {
      const candidates = (synonyms.get(column) ?? []).filter((legacy) => sourceColumns.has(legacy));
      const proposal = proposeColumn(migration, column, candidates);
      if (proposal) proposals.push(proposal);
    }
  }
  return proposals;
}

/** One candidate is a mapping; several are a decision for a person, with the YAML for each choice. */
function proposeColumn(migration, column, candidates) {
  const [only] = candidates;
  if (candidates.length === 1) {
    return {
      kind: 'column',
      migration: migration.name,
      column,
      from: only,
      confidence: CONFIDENCE,
      reason: `\`${only}\` is a known legacy name for \`${column}\` (examples/agents/synonyms.json)`,
    };
  }
  if (candidates.length > 1) {
    return {
      kind: 'decision',
      migration: migration.name,
      column,
      question: `Which source column fills \`${column}\`? Several are known legacy names for it.`,
      options: candidates.map((legacy) => ({
        label: `copy ${legacy}`,
        yaml: `${column}: { from: ${legacy} }`,
      })),
    };
  }
  return undefined;
}

/** synonyms.json maps a legacy column name to the new one; this maps each new name to its legacy names. */
async function readSynonyms() {
  const entries = Object.entries(JSON.parse(await readFile(SYNONYMS_FILE, 'utf8')));
  const byTarget = new Map();
  for (const [legacy, modern] of entries) {
    byTarget.set(modern, [...(byTarget.get(modern) ?? []), legacy]);
  }
  return byTarget;
}

function findTable(catalog, name) {
  return catalog.tables.find((table) => table.schema === name.schema && table.name === name.name);
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
