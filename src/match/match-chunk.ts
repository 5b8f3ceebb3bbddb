/**
 * The one road from bytes to failures (issue 16 point 3): `check`, replay and the daemon's file
 * sources all hand a Buffer of whole lines here, and only here is it decided which lines are
 * worth decoding. A big chunk (a catch-up, `check` on a log) gets one multi-keyword scan
 * (keyword-scanner.ts) and only the lines holding a keyword are decoded and handed to the
 * Matcher; a small one (a live append of a few lines) is decoded line by line, since the scan's
 * fixed cost would outweigh what it saves (Matcher.match still skips a line without a keyword
 * before any regex). Newlines are counted with native indexOf: a line that is never decoded
 * costs one memchr and its share of the scan.
 */
import type { Failure, LineEvent } from '../core/types';
import type { Matcher } from './matcher';

export interface ChunkContext {
  source: string;
  file?: string;
  /** 1-based number of the chunk's first line; 0 when unknown (every line then reports 0). */
  firstLine: number;
  referenceTime: number;
  /** Only the first this many bytes of a line are decoded and matched (default: all). */
  maxLineBytes?: number;
}

export type OnMatch = (f: Failure, line: number, text: string) => void;
/** A line whose matching threw (a filter bug): reported, and reading goes on. */
export type OnMatchError = (line: number, err: unknown) => void;

/**
 * Chunks at least this big are scanned for keywords first. The scan has a fixed cost per chunk
 * (its short keywords sample up to 64 KiB), so it only pays on big chunks: decoding ~1,000 lines
 * costs about what scanning them does, and a catch-up's 1 MiB reads save a fifth of the matching
 * work and most of the garbage (issue 7).
 */
export const SCAN_MIN_BYTES = 256 * 1024;

const NL = 10;

/**
 * Walks one chunk, possibly in steps: the daemon commits every few hundred failures, so the
 * firewall bans from one step while the next is matched.
 */
export class ChunkReader {
  /** Byte offset of the first line not consumed yet. */
  pos = 0;
  /** Lines consumed so far (an unterminated last line counts). */
  lines = 0;
  private readonly starts: Float64Array | null;
  private next = 0;
  private readonly ev: LineEvent;
  private readonly maxLineBytes: number;

  constructor(
    private readonly matcher: Matcher,
    private readonly chunk: Buffer,
    private readonly ctx: ChunkContext,
  ) {
    this.starts = chunk.length >= SCAN_MIN_BYTES ? matcher.scanner.lineStarts(chunk) : null;
    // One event object for the whole chunk: the matcher reads it and keeps nothing of it.
    this.ev = { source: ctx.source, file: ctx.file, line: 0, text: '' };
    this.maxLineBytes = ctx.maxLineBytes ?? Infinity;
  }

  get done(): boolean {
    return this.pos >= this.chunk.length;
  }

  /**
   * Matches on until `maxFailures` lines have matched (that line consumed) or the chunk ends.
   * Returns how many matched. Without `onError`, a line whose matching throws throws out of here.
   */
  step(onMatch: OnMatch, maxFailures = Infinity, onError?: OnMatchError): number {
    const { chunk, starts, ev, ctx } = this;
    const end = chunk.length;
    let { pos, lines, next } = this;
    let found = 0;
    while (found < maxFailures && pos < end) {
      let start: number;
      if (starts) {
        while (next < starts.length && starts[next] < pos) next++;
        if (next === starts.length) break;
        start = starts[next++];
        while (pos < start) {
          pos = chunk.indexOf(NL, pos) + 1;
          lines++;
        }
      } else {
        start = pos;
      }
      let nl = chunk.indexOf(NL, start);
      if (nl < 0) nl = end;
      let textEnd = nl > start && chunk[nl - 1] === 13 ? nl - 1 : nl; // CRLF logs
      if (textEnd - start > this.maxLineBytes) textEnd = start + this.maxLineBytes;
      const text = chunk.toString('utf8', start, textEnd);
      const line = ctx.firstLine > 0 ? ctx.firstLine + lines : 0;
      pos = nl + 1;
      lines++;
      ev.line = line;
      ev.text = text;
      let failure: Failure | null;
      try {
        failure = this.matcher.match(ev, ctx.referenceTime);
      } catch (e) {
        if (!onError) throw e;
        onError(line, e);
        continue;
      }
      if (!failure) continue;
      found++;
      onMatch(failure, line, text);
    }
    if (found < maxFailures) {
      // no candidate left: count the rest
      while (pos < end) {
        const nl = chunk.indexOf(NL, pos);
        pos = nl < 0 ? end : nl + 1;
        lines++;
      }
    }
    this.pos = Math.min(pos, end);
    this.lines = lines;
    this.next = next;
    return found;
  }
}

/** Matches every line of `chunk` (whole lines; the last may lack its newline). Returns the number of lines. */
export function matchChunk(matcher: Matcher, chunk: Buffer, ctx: ChunkContext, onMatch: OnMatch): number {
  const reader = new ChunkReader(matcher, chunk, ctx);
  reader.step(onMatch);
  return reader.lines;
}
