/**
 * Splits bytes into lines on `\n`, by byte: a big catch-up read is never decoded as one string,
 * and a line is decoded on its own (invalid UTF-8 becomes U+FFFD).
 */

const NL = 0x0a;
const CR = 0x0d;

export interface SplitState {
  /** True while discarding the rest of an over-long line, up to and including its newline. */
  skipping: boolean;
}

export interface SplitResult {
  texts: string[];
  /** Index in `buf` of the first byte not consumed: the start of a partial line, or `end`. */
  pos: number;
}

/**
 * Takes complete lines from `buf[start, end)`, at most `maxLines` of them. A line without its
 * newline is left unconsumed (it is read again once the newline arrives) unless it already holds
 * `maxLineBytes` bytes: then its first `maxLineBytes` bytes are a line and the rest is skipped,
 * so nothing is ever held without bound.
 */
export function splitLines(
  buf: Buffer,
  start: number,
  end: number,
  maxLineBytes: number,
  maxLines: number,
  state: SplitState,
): SplitResult {
  const texts: string[] = [];
  let pos = start;
  while (pos < end && texts.length < maxLines) {
    let nl = buf.indexOf(NL, pos);
    if (nl >= end) nl = -1;
    if (state.skipping) {
      if (nl < 0) return { texts, pos: end };
      state.skipping = false;
      pos = nl + 1;
      continue;
    }
    if (nl < 0) {
      if (end - pos < maxLineBytes) break;
      texts.push(buf.toString('utf8', pos, pos + maxLineBytes));
      state.skipping = true;
      pos += maxLineBytes;
      continue;
    }
    if (nl - pos > maxLineBytes) {
      texts.push(buf.toString('utf8', pos, pos + maxLineBytes));
    } else {
      // CRLF files (logs copied from Windows hosts): the CR is part of the line ending, not the text.
      const stop = nl > pos && buf[nl - 1] === CR ? nl - 1 : nl;
      texts.push(buf.toString('utf8', pos, stop));
    }
    pos = nl + 1;
  }
  return { texts, pos };
}

/** Counts newlines in `buf[start, end)`. */
export function countNewlines(buf: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = buf.indexOf(NL, start); i >= 0 && i < end; i = buf.indexOf(NL, i + 1)) n++;
  return n;
}
