// A PostgreSQL source needs no staging: its own session runs the batch SQL, and batch boundaries are
// found there with the keyset walk of runner/key-ranges.ts.

import { lastKeyAfter, planKeyRanges } from '../../runner/key-ranges.js';
import type { SourceReader } from '../reader.js';

const NOTHING_STAGED: ReadonlyMap<string, number> = new Map();

export const postgresReader: SourceReader = {
  engine: 'postgres',
  planKeyRanges,
  lastKeyAfter,
  stage: async () => NOTHING_STAGED,
  end: async () => {},
};
