// GitHub-flavoured Markdown pieces that hold any text safely: names of tables and columns, SQL and
// agents' messages may contain pipes, backticks, angle brackets or newlines, and none of them may
// break a table, a code span or the HTML of a collapsible section.

/** Inline code that shows `text` literally (outside a table: see codeCell). */
export function codeSpan(text: string): string {
  const flat = text.replace(/\r\n|\r|\n/g, ' ');
  // The fence is longer than any run of backticks inside.
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const padded = flat.startsWith('`') || flat.endsWith('`') || flat === '' ? ` ${flat} ` : flat;
  return `${fence}${padded}${fence}`;
}

/** Inline code in a table cell: GitHub splits rows on pipes before it reads code spans, so they are escaped. */
export function codeCell(text: string): string {
  return codeSpan(text).replaceAll('|', '\\|');
}

/** Text for a table cell or a list item: on one line, its HTML inert, its pipes escaped. */
export function inlineText(text: string): string {
  return text
    .replace(/\r\n|\r|\n/g, ' ')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('|', '\\|');
}

/** Text inside HTML (a `<summary>`): entities for the characters HTML reads. */
export function htmlText(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/** A fenced code block whose fence no line of `text` can close. */
export function codeBlock(text: string, language = ''): string[] {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${language}`, ...text.trimEnd().split(/\r\n|\r|\n/), fence];
}

/** A Markdown table: a header row, the separator, and one row per entry. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [tableRow(header), tableRow(header.map(() => '---')), ...rows.map(tableRow)];
}

/** One row of a table; its cells already escaped (codeCell, inlineText). */
export function tableRow(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}
