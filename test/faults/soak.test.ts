// The suite's soak: the same code as `npm run soak` (soak-run.ts), with 20 kills at a smaller scale
// and a fixed seed. Every kill must leave only committed batches behind and be resumed; every round
// must end with each table equal to its source, and `ferry verify` must pass at the end.

import { describe, expect, inject, it } from 'vitest';
import { formatSoakResult, runSoak } from './soak-run.js';

describe('the soak', () => {
  it('20 SIGKILLs of apply at random moments, each resumed: no row lost, none duplicated', async () => {
    const lines: string[] = [];
    const result = await runSoak({
      serverUrl: inject('databaseUrl'),
      kills: 20,
      scale: 0.001,
      seed: 8,
      spareRebuild: true,
      log: (line) => lines.push(line),
    });
    const transcript = lines.join('\n');
    expect(result.failures, transcript).toEqual([]);
    expect(formatSoakResult(result), transcript).toBe('kills survived 20/20, rows lost 0, rows duplicated 0');
    expect(result.changed, transcript).toBe(0);
    expect(result.verified, transcript).toBe(true);
  }, 600_000);
});
