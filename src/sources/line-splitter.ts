/**
 * Splits bytes into lines on `\n`, by byte: a big catch-up read is never decoded as one string,
 * and a line is decoded on its own (invalid UTF-8 becomes U+FFFD). With `keep`, only the lines it
 * names are decoded; the others are counted and passed over (issue 7: a catch-up decoded all of a
 * 1M-line log to match the 12% holding a keyword).
 */
import type { FileHandle } from 'node:fs/promises';

const NL = 0x0a;
const CR = 0x0d;

export interface SplitState {
  /** True while discarding the rest of an over-long line, up to and including its newline. */
  skipping: boolean;
}

/** The lines of one read buffer worth decoding (from LineGate.lineStarts over that buffer). */
export interface LineKeep {
  /** Sorted byte offsets in the buffer of the lines to decode. */
  starts: Float64Array;
  /** Index in `starts` of the first offset not yet passed; advanced by splitLines. */
  next: number;
}

export interface SplitResult {
  /** The decoded lines: all lines taken, or with `keep` only the kept ones. */
  texts: string[];
  /** With `keep`: each text's 0-based place among the lines taken (for its line number). */
  ordinals?: number[];
  /** Lines taken, kept or not: a cut line counts once, the skipped rest of one not at all. */
  lines: number;
  /** Index in `buf` of the first byte not consumed: the start of a partial line, or `end`. */
  pos: number;
}

/**
 * Takes complete lines from `buf[start, end)` until `maxLines` texts are decoded. A line without
 * its newline is left unconsumed (it is read again once the newline arrives) unless it already
 * holds `maxLineBytes` bytes: then its first `maxLineBytes` bytes are a line and the rest is
 * skipped, so nothing is ever held without bound. Lines are taken, cut and counted the same with
 * or without `keep`; `keep` only decides which of them are decoded.
 */
export function splitLines(
  buf: Buffer,
  start: number,
  end: number,
  maxLineBytes: number,
  maxLines: number,
  state: SplitState,
  keep?: LineKeep,
): SplitResult {
  const texts: string[] = [];
  const ordinals: number[] | undefined = keep ? [] : undefined;
  let lines = 0;
  let pos = start;
  while (pos < end && texts.length < maxLines) {
    let nl = buf.indexOf(NL, pos);
    if (nl >= end) nl = -1;
    if (state.skipping) {
      if (nl < 0) return { texts, ordinals, lines, pos: end };
      state.skipping = false;
      pos = nl + 1;
      continue;
    }
    if (nl < 0 && end - pos < maxLineBytes) break;
    if (keep === undefined || isKept(keep, pos)) {
      ordinals?.push(lines);
      if (nl < 0 || nl - pos > maxLineBytes) {
        texts.push(buf.toString('utf8', pos, pos + maxLineBytes));
      } else {
        // CRLF files (logs copied from Windows hosts): the CR is part of the line ending, not the text.
        const stop = nl > pos && buf[nl - 1] === CR ? nl - 1 : nl;
        texts.push(buf.toString('utf8', pos, stop));
      }
    }
    lines++;
    if (nl < 0) {
      state.skipping = true;
      pos += maxLineBytes;
    } else {
      pos = nl + 1;
    }
  }
  return { texts, ordinals, lines, pos };
}

/** Does `keep` name the line starting at `pos`? Lines are asked for in order. */
function isKept(keep: LineKeep, pos: number): boolean {
  const { starts } = keep;
  while (keep.next < starts.length && starts[keep.next] < pos) keep.next++;
  return keep.next < starts.length && starts[keep.next] === pos;
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
