// Crash points for the fault suite: `FERRY_FAILPOINT=<point>[:<migration>][@<n>]` makes the process
// SIGKILL itself the n-th time (default 1st) it passes `point` (for that migration). A SIGKILL leaves
// no chance to clean up, like a power cut or an OOM kill, which is what exactly-once must survive.
// Unset, a check costs one comparison.

export type Failpoint =
  /** The batch's rows are written, its completion not yet recorded. */
  | 'batch-loaded'
  /** Completion recorded, COMMIT not yet sent. */
  | 'batch-completed'
  /** COMMIT returned, the event not yet emitted. */
  | 'batch-committed'
  /** Batches recorded and the migration marked loading. */
  | 'migration-prepared'
  /** The fix-up UPDATE ran, its COMMIT not yet sent. */
  | 'fixup-updated'
  /** Before the layer's migrations start. */
  | 'layer-started';

interface Armed {
  readonly point: string;
  readonly migration?: string;
  readonly hit: number;
}

const armed: Armed | undefined = parse(process.env.FERRY_FAILPOINT);
let hits = 0;

function parse(value: string | undefined): Armed | undefined {
  const match = value ? /^([a-z-]+)(?::([a-z0-9_]+))?(?:@(\d+))?$/.exec(value) : null;
  if (!match) return undefined;
  return {
    point: match[1] as string,
    ...(match[2] ? { migration: match[2] } : {}),
    hit: match[3] ? Number(match[3]) : 1,
  };
}

/**
 * Kills the process here when FERRY_FAILPOINT names this point (and migration) and its count is due.
 *
 * @example
 * failpoint('batch-completed', migration.name);
 */
export function failpoint(point: Failpoint, migration?: string): void {
  if (armed === undefined || armed.point !== point) return;
  if (armed.migration !== undefined && armed.migration !== migration) return;
  hits += 1;
  if (hits === armed.hit) process.kill(process.pid, 'SIGKILL');
}
