// The soak's randomness: one seeded generator, so that a seed replays the same decisions (which
// runs use --bulk or two workers, which failpoint is armed, how long a wall-clock kill waits).

/** A source of numbers in [0, 1) that a seed determines. */
export type Random = () => number;

/**
 * mulberry32: small, fast and good enough to spread kills; not for anything secret.
 *
 * @example
 * const random = seededRandom(42);
 * random(); // → the same number for every run seeded 42
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The element of `items` that `draw` (in [0, 1)) falls on. */
export function pickOne<T>(items: readonly T[], draw: number): T {
  if (items.length === 0) throw new Error('nothing to pick from');
  return items[Math.min(items.length - 1, Math.floor(draw * items.length))] as T;
}

/**
 * A fixed number of draws per apply run, whatever the run turns out to need: a seed then replays the
 * same decisions even where timing changed how many of them a run used.
 */
export interface RunDraws {
  readonly mode: number;
  readonly kind: number;
  readonly point: number;
  readonly hit: number;
  readonly delay: number;
  readonly restart: number;
  readonly safeResume: number;
  readonly finish: number;
}

export function drawRun(random: Random): RunDraws {
  return {
    mode: random(),
    kind: random(),
    point: random(),
    hit: random(),
    delay: random(),
    restart: random(),
    safeResume: random(),
    finish: random(),
  };
}
