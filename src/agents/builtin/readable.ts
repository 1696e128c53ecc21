// Batch sizes a reviewer reads at a glance: 150,000 rather than 159,277. Rounding to a short series
// of steps also keeps a plan stable when ANALYZE measures a row a byte wider or narrower.

/** Mantissas of the readable numbers within each power of ten (a coarse preferred-number series). */
const STEPS = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8];

function readableCandidates(value: number): number[] {
  const decade = 10 ** Math.floor(Math.log10(value));
  return [...STEPS.map((step) => Math.round(step * decade)), decade * 10];
}

/** The largest readable number not above `value` (at least 1). */
export function roundDownReadable(value: number): number {
  if (value < 1) return 1;
  return (
    readableCandidates(value)
      .filter((candidate) => candidate <= value)
      .at(-1) ?? 1
  );
}

/** The smallest readable number not below `value` (at least 1). */
export function roundUpReadable(value: number): number {
  if (value <= 1) return 1;
  return readableCandidates(value).find((candidate) => candidate >= value) ?? Math.ceil(value);
}
