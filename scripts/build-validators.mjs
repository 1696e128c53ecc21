// Build step: compiles schemas/spec.schema.json into standalone validator code in dist/, so the CLI
// does not compile the schema with ajv on every start (about 170 ms). The library falls back to
// compiling at run time when the file is absent (tests run from src/).

import { readFileSync, writeFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';

const schema = JSON.parse(readFileSync(new URL('../schemas/spec.schema.json', import.meta.url), 'utf8'));
// The options must match the run-time compilation in src/spec/schema-validation.ts.
const ajv = new Ajv2020({
  allErrors: true,
  verbose: true,
  strict: true,
  strictRequired: false,
  code: { source: true, esm: true },
});
ajv.addSchema(schema);
const code = standaloneCode.default(ajv, {
  project: `${schema.$id}#/$defs/project`,
  migration: `${schema.$id}#/$defs/migration`,
});
// The generated module calls require() for two small ajv run-time helpers, even as ESM.
const prologue =
  "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n";
writeFileSync(
  new URL('../dist/spec/spec-validators.js', import.meta.url),
  prologue + code.replace('"use strict";', ''),
);
