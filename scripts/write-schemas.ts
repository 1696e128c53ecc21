// Writes the JSON Schemas that are generated from zod: schemas/agent-protocol.schema.json.
// Run `npm run schemas` after changing src/agents/protocol.ts; a test fails until the file matches.

import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { agentProtocolJsonSchemaText } from '../src/agents/protocol-json-schema.js';

const target = fileURLToPath(new URL('../schemas/agent-protocol.schema.json', import.meta.url));
await writeFile(target, agentProtocolJsonSchemaText());
// Biome owns the layout of every JSON file in the repository (short arrays on one line); formatting
// here keeps `npm run lint` clean right after `npm run schemas`.
await execa('biome', ['format', '--write', target], { preferLocal: true, stdio: 'inherit' });
console.log(`wrote ${target}`);
