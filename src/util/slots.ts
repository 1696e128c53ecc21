// A fixed number of slots shared by concurrent work: at most `size` pieces run at once, and the rest
// wait their turn in the order they asked.

export interface Slots {
  /** Runs `work` once a slot is free, and frees it when `work` settles. */
  use<T>(work: () => Promise<T>): Promise<T>;
}

/**
 * @example
 * const batches = slots(4);
 * await Promise.all(ranges.map((range) => batches.use(() => load(range))));
 */
export function slots(size: number): Slots {
  let free = Math.max(1, size);
  const waiting: (() => void)[] = [];
  return {
    async use(work) {
      if (free > 0) free--;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await work();
      } finally {
        const next = waiting.shift();
        if (next) next();
        else free++;
      }
    },
  };
}
