// V8 leaves garbage that outlived two young-generation collections in the old generation until that
// grows past a limit it sets generously for itself. A long load promotes a steady trickle (COPY
// chunks that waited on a busy socket, rows queued behind them), so a process whose live data stays
// at a few megabytes would end its run with a hundred of them resident. A full collection whenever
// the old generation has grown by a fixed amount since the last one keeps the peak flat, at a cost
// of a few milliseconds per collection.

import v8 from 'node:v8';
import vm from 'node:vm';

/** Growth of the old generation, in bytes, that is collected at once. */
const GROWTH_COLLECTED = 8 * 1024 * 1024;

/** V8's full collection, exposed to a fresh context once the flag is set; undefined if it is not. */
function exposeCollector(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    const collect: unknown = vm.runInNewContext('gc');
    return typeof collect === 'function' ? (collect as () => void) : undefined;
  } catch {
    return undefined;
  }
}

let collector: (() => void) | undefined | null = null;
let collectedAt = 0;

function oldSpaceUsed(): number {
  return v8.getHeapSpaceStatistics().find((space) => space.space_name === 'old_space')?.space_used_size ?? 0;
}

/**
 * Collects the old generation when it has grown by GROWTH_COLLECTED since the last collection; called
 * between units of work (after a batch commits), never inside one.
 */
export function collectPromotedGarbage(): void {
  if (collector === null) {
    collector = exposeCollector();
    collectedAt = oldSpaceUsed();
  }
  if (!collector || oldSpaceUsed() - collectedAt < GROWTH_COLLECTED) return;
  collector();
  collectedAt = oldSpaceUsed();
}
