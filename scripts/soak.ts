// `npm run soak -- [--kills N] [--scale S] [--seed X] [--spare-rebuild] [--fuzz-runs N]`: the
// reference workload applied while it is SIGKILLed N times at random moments, each kill resumed, then
// verified and counted against the source (test/faults/soak-run.ts), and the spec loader fuzzed with
// 10,000 generated spec directories (test/spec/loader-property.ts). On an embedded PostgreSQL unless
// FERRY_SOAK_DATABASE_URL names a server. Exits 0 only when every kill was survived with no row lost
// or duplicated and the loader kept its property. --spare-rebuild kills runs with a bulk rebuild
// ahead only at failpoints.

import { parseArgs } from 'node:util';
import { startEmbeddedPostgres } from '../src/demo/embedded-server.js';
import { formatSoakResult, runSoak, soakPassed } from '../test/faults/soak-run.js';
import { fuzzSpecLoader } from '../test/spec/loader-property.js';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '100' },
    scale: { type: 'string', default: '0.002' },
    seed: { type: 'string' },
    'spare-rebuild': { type: 'boolean', default: false },
    'fuzz-runs': { type: 'string', default: '10000' },
  },
});

const kills = wholeNumber('--kills', values.kills, 1);
const fuzzRuns = wholeNumber('--fuzz-runs', values['fuzz-runs'], 0);
const scale = Number(values.scale);
if (!(scale > 0 && scale <= 1)) usage(`--scale must be a number in (0, 1], not ${values.scale}`);
const seed =
  values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : wholeNumber('--seed', values.seed, 0);

const started = Date.now();
const external = process.env.FERRY_SOAK_DATABASE_URL;
const server = external ? undefined : await startEmbeddedPostgres({ password: 'ferry-soak' });
console.log(`soak: ${kills} kills, scale ${scale}, seed ${seed} (replay with --seed ${seed})`);
try {
  const result = await runSoak({
    serverUrl: external ?? (server?.url as string),
    kills,
    scale,
    seed,
    spareRebuild: values['spare-rebuild'],
    log: (line) => console.log(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${line}`),
  });
  const tally = (counts: ReadonlyMap<string, number>) =>
    [...counts]
      .sort((a, b) => b[1] - a[1])
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
  console.log(`kills by kind: ${tally(result.kinds)}`);
  console.log(`kills landed in: ${tally(result.landings)}`);
  console.log(`${result.rounds} rounds; ferry verify ${result.verified ? 'passed' : 'FAILED'}`);
  if (result.bulkRefusals > 0) {
    console.log(`${result.bulkRefusals} resume(s) with --bulk refused a target the killed run had finished`);
  }
  if (result.changed > 0) console.log(`rows changed ${result.changed}`);
  for (const failure of result.failures) console.log(`✗ ${failure}`);
  console.log(`seed ${seed}, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(formatSoakResult(result));
  const fuzz = fuzzRuns > 0 ? await fuzzSpecLoader({ runs: fuzzRuns, seed }) : undefined;
  if (fuzz) {
    console.log(
      `spec loader fuzzed: ${fuzz.runs} runs, ${fuzz.files} files, ${fuzz.diagnostics} diagnostics, seed ${seed}: ${fuzz.failure ? 'FAILED' : 'ok'}`,
    );
    if (fuzz.failure) console.error(fuzz.failure);
  }
  process.exitCode = soakPassed(result) && !fuzz?.failure ? 0 : 1;
} finally {
  await server?.stop();
}

function wholeNumber(flag: string, text: string, least: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < least)
    usage(`${flag} must be a whole number from ${least}, not ${text}`);
  return value;
}

function usage(message: string): never {
  console.error(
    `soak: ${message}\nusage: npm run soak -- [--kills N] [--scale S] [--seed X] [--spare-rebuild] [--fuzz-runs N]`,
  );
  process.exit(2);
}
