/**
 * The bulk path (`check` and `replay`): a Buffer of complete lines in, Failures
 * out, without decoding most of it. One multi-keyword scan (keyword-scanner.ts) finds the lines
 * holding a keyword; only those are decoded and handed to the Matcher. Newlines are counted with
 * native indexOf, so a line with no keyword costs one memchr and its share of the scan.
 */
import type { Failure, LineEvent } from '../core/types';
import type { Matcher } from './matcher';

export interface ChunkContext {
  source: string;
  file?: string;
  /** 1-based number of the chunk's first line. */
  firstLine: number;
  referenceTime: number;
}

const NL = 10;

/** Scans `chunk` (complete lines only; the last may lack its newline). Returns the number of lines. */
export function matchChunk(
  matcher: Matcher,
  chunk: Buffer,
  ctx: ChunkContext,
  onMatch: (f: Failure, line: number, text: string) => void,
): number {
  const starts = matcher.scanner.lineStarts(chunk);
  // One event object for the whole chunk: the matcher reads it and keeps nothing of it.
  const ev: LineEvent = { source: ctx.source, file: ctx.file, line: 0, text: '' };
  let line = ctx.firstLine;
  let pos = 0; // start of line number `line`
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i];
    while (pos < start) {
      pos = chunk.indexOf(NL, pos) + 1;
      line++;
    }
    let end = chunk.indexOf(NL, start);
    if (end < 0) end = chunk.length;
    const textEnd = end > start && chunk[end - 1] === 13 ? end - 1 : end; // CRLF logs
    const text = chunk.toString('utf8', start, textEnd);
    ev.line = line;
    ev.text = text;
    const failure = matcher.match(ev, ctx.referenceTime);
    if (failure) onMatch(failure, line, text);
  }
  while (pos < chunk.length) {
    const nl = chunk.indexOf(NL, pos);
    if (nl < 0) return line - ctx.firstLine + 1; // unterminated last line
    pos = nl + 1;
    line++;
  }
  return line - ctx.firstLine;
}
