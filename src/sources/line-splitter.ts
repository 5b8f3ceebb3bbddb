/**
 * Finds whole lines in a read, by byte: a read is handed on as bytes, never decoded here (which
 * lines are worth decoding is match/'s decision, match-chunk.ts). Also counts lines.
 */
import type { FileHandle } from 'node:fs/promises';

const NL = 0x0a;

export interface SplitState {
  /** True while discarding the rest of an over-long line, up to and including its newline. */
  skipping: boolean;
}

export interface WholeLines {
  /** Where the lines begin: after the skipped rest of a cut line, else 0. */
  start: number;
  /** Where they end: after the last newline, or after the cut first maxLineBytes of an over-long line. */
  end: number;
}

/**
 * The whole lines of `buf[0, n)`. A line without its newline is left for the next read (it comes
 * again with its newline) unless it already holds `maxLineBytes` bytes: then its first
 * `maxLineBytes` bytes end the lines (a line without a newline) and the rest of it is skipped, so
 * nothing is ever held without bound.
 */
export function wholeLines(buf: Buffer, n: number, maxLineBytes: number, state: SplitState): WholeLines {
  let start = 0;
  if (state.skipping) {
    const nl = buf.indexOf(NL);
    if (nl < 0 || nl >= n) return { start: n, end: n };
    state.skipping = false;
    start = nl + 1;
  }
  const last = n > start ? buf.lastIndexOf(NL, n - 1) : -1;
  let end = last >= start ? last + 1 : start;
  if (n - end >= maxLineBytes) {
    end += maxLineBytes;
    state.skipping = true;
  }
  return { start, end };
}

/**
 * Lines in the first `end` bytes of a file, a last one without its newline included, read
 * through `buf` (overwritten).
 */
export async function countLines(handle: FileHandle, buf: Buffer, end: number): Promise<number> {
  let lines = 0;
  let last = NL;
  for (let pos = 0; pos < end; ) {
    const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, end - pos), pos);
    if (bytesRead === 0) break;
    lines += countNewlines(buf, 0, bytesRead);
    last = buf[bytesRead - 1];
    pos += bytesRead;
  }
  return lines + (last === NL ? 0 : 1);
}

/** Counts newlines in `buf[start, end)`. */
export function countNewlines(buf: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = buf.indexOf(NL, start); i >= 0 && i < end; i = buf.indexOf(NL, i + 1)) n++;
  return n;
}
