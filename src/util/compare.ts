// Locale-independent ordering: output and lockfiles must not change with the machine's language.

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
