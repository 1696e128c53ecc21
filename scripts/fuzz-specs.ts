// Fuzzes the spec loader with generated spec directories: `npm run fuzz -- --runs 10000 [--seed N]`.
// Prints one summary line (runs, files, diagnostics, seed, time) and exits 1 with fast-check's report,
// seed and counterexample included, when a generated directory breaks the loader's property.

import { parseArgs } from 'node:util';
import { fuzzSpecLoader } from '../test/spec/loader-property.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10000' },
    seed: { type: 'string' },
  },
});
const runs = Number(values.runs);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
  console.error('usage: npm run fuzz -- [--runs N] [--seed N]');
  process.exit(1);
}

console.log(`fuzzing the spec loader: ${runs} generated spec directories, seed ${seed}`);
const started = performance.now();
const result = await fuzzSpecLoader({ runs, seed });
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(
  `${result.runs} runs, ${result.files} files, ${result.diagnostics} diagnostics, ${result.loaded} loaded without error, seed ${seed}, ${seconds} s: ${result.failure ? 'FAILED' : 'ok'}`,
);
if (result.failure) {
  console.error(result.failure);
  process.exitCode = 1;
}
