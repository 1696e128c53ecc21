// A terminal for tests of views that redraw in place: a Writable with isTTY and columns that keeps the
// screen as a terminal would (cursor up, carriage return, erase line and below, wrap at the edge).

import { Writable } from 'node:stream';

// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what a terminal reads
const SEQUENCE = /^\u001b\[(\d*)([A-Za-z])/;

export class VirtualTerminal extends Writable {
  readonly isTTY = true;
  readonly columns: number;
  /** Every chunk written, in order: how many frames were drawn. */
  readonly chunks: string[] = [];
  readonly #screen: string[] = [];
  #row = 0;
  #column = 0;

  constructor(columns = 100) {
    super({ decodeStrings: false });
    this.columns = columns;
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, callback: () => void): void {
    const text = String(chunk);
    this.chunks.push(text);
    this.#apply(text);
    callback();
  }

  /** What the screen shows, colours left out, without trailing empty rows. */
  screen(): string {
    return this.#screen.join('\n').replace(/\n+$/, '');
  }

  #apply(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const sequence = SEQUENCE.exec(text.slice(i));
      if (sequence) {
        this.#control(Number(sequence[1] || '1'), sequence[2] as string);
        i += sequence[0].length - 1;
      } else if (text[i] === '\n') {
        this.#row += 1;
        this.#column = 0;
      } else if (text[i] === '\r') {
        this.#column = 0;
      } else {
        this.#print(text[i] as string);
      }
    }
  }

  #print(character: string): void {
    if (this.#column === this.columns) {
      this.#row += 1;
      this.#column = 0;
    }
    const line = (this.#screen[this.#row] ?? '').padEnd(this.#column);
    this.#screen[this.#row] = `${line.slice(0, this.#column)}${character}${line.slice(this.#column + 1)}`;
    this.#column += 1;
  }

  #control(count: number, command: string): void {
    if (command === 'A') this.#row = Math.max(0, this.#row - count);
    if (command === 'K' || command === 'J')
      this.#screen[this.#row] = (this.#screen[this.#row] ?? '').slice(0, this.#column);
    if (command === 'J') this.#screen.length = Math.min(this.#screen.length, this.#row + 1);
  }
}
