// Numbers and names in the reasons built-in agents give: fixed formats that read the same on every
// machine, whatever its locale, so reasons pinned in ferry.lock never churn.

const BYTES_PER_KB = 1024;
const BYTES_PER_MB = 1024 * 1024;
const BYTES_PER_GB = 1024 * 1024 * 1024;

/** `1569` → `1,569`: an integer with comma-grouped thousands (rounded first). */
export function formatCount(value: number): string {
  const digits = String(Math.abs(Math.round(value)));
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return value < 0 && grouped !== '0' ? `-${grouped}` : grouped;
}

/** `3 'row'` → `3 rows`, `1 'table'` → `1 table`. */
export function countOf(value: number, noun: string, plural = `${noun}s`): string {
  return `${formatCount(value)} ${value === 1 ? noun : plural}`;
}

/** Binary units, as database tools print sizes: `340 bytes`, `69 KB`, `78 MB`, `1.5 GB`. */
export function formatBytes(bytes: number): string {
  if (bytes < BYTES_PER_KB) return countOf(bytes, 'byte');
  if (bytes < BYTES_PER_MB) return `${formatCount(bytes / BYTES_PER_KB)} KB`;
  if (bytes < BYTES_PER_GB) return `${formatCount(bytes / BYTES_PER_MB)} MB`;
  return `${(bytes / BYTES_PER_GB).toFixed(1)} GB`;
}

/** `['a', 'b']` → `(a, b)`: a key or column list as PostgreSQL prints it. */
export function formatColumnList(columns: readonly string[]): string {
  return `(${columns.join(', ')})`;
}

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five'];

/** Small counts read better as words in a sentence: `two foreign keys`. */
export function numberWord(value: number): string {
  return NUMBER_WORDS[value] ?? formatCount(value);
}
