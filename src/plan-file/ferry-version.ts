// The version of ferry that is running, as package.json names it: a saved plan records the version
// that made it, and only that version applies it.

import { readFileSync } from 'node:fs';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  readonly version: string;
};

export const FERRY_VERSION: string = packageJson.version;
