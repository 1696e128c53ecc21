// Reads one spec file defensively: a size cap before reading, then binary and encoding checks, so a
// stray 50 MB dump or a PNG in specs/ becomes one clear diagnostic instead of a hang or a crash.

import { open } from 'node:fs/promises';
import { type Diagnostic, errorDiagnostic } from '../errors.js';

/** Spec files are hand-written; 4 MiB is hundreds of times more than a large project needs. */
export const MAX_SPEC_FILE_BYTES = 4 * 1024 * 1024;

export type ReadResult = { readonly text: string } | { readonly diagnostic: Diagnostic };

export async function readSpecFile(path: string, displayPath: string): Promise<ReadResult> {
  const at = { file: displayPath, line: 1, column: 1 };
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    const { size } = await handle.stat();
    if (size > MAX_SPEC_FILE_BYTES) {
      return {
        diagnostic: errorDiagnostic(
          'spec.too-large',
          `file is ${formatBytes(size)}; spec files may be at most ${formatBytes(MAX_SPEC_FILE_BYTES)}`,
          { hint: 'split it into one file per migration, or move data out of specs/', location: at },
        ),
      };
    }
    const bytes = await handle.readFile();
    return decodeSpecText(bytes, displayPath);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    return {
      diagnostic: errorDiagnostic('spec.read', `cannot read file (${reason})`, {
        hint: 'check that the file exists and is readable',
        location: at,
      }),
    };
  } finally {
    await handle?.close();
  }
}

function decodeSpecText(bytes: Buffer, displayPath: string): ReadResult {
  const at = { file: displayPath, line: 1, column: 1 };
  if (bytes.includes(0)) {
    return {
      diagnostic: errorDiagnostic('spec.binary', 'file is binary (it contains NUL bytes), not YAML', {
        hint: 'keep only YAML spec files in the specs directory',
        location: at,
      }),
    };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return {
      diagnostic: errorDiagnostic('spec.encoding', 'file is not valid UTF-8', {
        hint: 'save the file as UTF-8',
        location: { file: displayPath, ...lineColumnOfFirstInvalidByte(bytes) },
      }),
    };
  }
  if (text.trim() === '' || isOnlyComments(text)) {
    return {
      diagnostic: errorDiagnostic('spec.empty', 'file has no YAML document', {
        hint: 'a migration starts with `migration: <name>`; remove the file if it is not needed',
        location: at,
      }),
    };
  }
  return { text };
}

function isOnlyComments(text: string): boolean {
  return text.split(/\r?\n/).every((line) => {
    const trimmed = line.trim();
    return trimmed === '' || trimmed.startsWith('#') || trimmed === '---' || trimmed === '...';
  });
}

function lineColumnOfFirstInvalidByte(bytes: Buffer): { line: number; column: number } {
  const offset = firstInvalidUtf8Offset(bytes);
  const prefix = bytes.subarray(0, offset).toString('utf8');
  const lines = prefix.split('\n');
  return { line: lines.length, column: [...(lines.at(-1) ?? '')].length + 1 };
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
function firstInvalidUtf8Offset(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes[i] as number);
    if (length === 0 || i + length > bytes.length) return i;
    for (let k = 1; k < length; k++) if (((bytes[i + k] as number) & 0xc0) !== 0x80) return i;
    i += length;
  }
  return i;
}

function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead < 0xe0) return 2;
  if (lead >= 0xe0 && lead < 0xf0) return 3;
  if (lead >= 0xf0 && lead < 0xf5) return 4;
  return 0;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
