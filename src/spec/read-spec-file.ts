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
  let low = 0;
  let high = bytes.length;
  // The longest valid prefix is found by bisection; the error is at the byte after it. Streaming mode
  // makes a character cut in half at the prefix's end count as valid, so validity is monotonic.
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      low = mid;
    } catch {
      high = mid - 1;
    }
  }
  const prefix = new TextDecoder().decode(bytes.subarray(0, low));
  const lines = prefix.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
