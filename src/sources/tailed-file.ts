/**
 * One open file being followed: its identity (dev+ino, first-line hash), the position after the
 * last complete line, and the reading of everything appended since.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { FileCursor } from '../core/types';
import { hashFirstLine, hashFirstLineOf } from './first-line-hash';
import type { FileFacts } from './rotation-plan';
import { countLines, countNewlines, wholeLines, type SplitState } from './line-splitter';
import type { Deliver, ReadLimits } from './read-limits';

/** Files longer than this at their saved position keep unknown line numbers rather than be read through. */
const MAX_COUNTED_BYTES = 512 * 1024 * 1024;

export class TailedFile {
  offset = 0;
  line = 0;
  firstLineHash = '';
  /** Size at the last stat. */
  size = 0;
  /** Batches carry this file's cursor until a successor under the same path takes the key over. */
  ownsKey = true;
  /** A copy copytruncate left: read from the old position, closed once read. */
  isCopy = false;
  /** The position moved (opened at its end, a long line's rest skipped) and no batch carried it yet. */
  unsaved = false;
  /** When the file last grew, for closing rotated-away files after a grace period. */
  lastGrowthAt = Date.now();
  /** Modification time at the last stat. */
  mtimeMs = 0;
  private readonly split: SplitState = { skipping: false };

  private constructor(
    /** The cursor key: `${sourceId}:${path}`. */
    readonly key: string,
    /** The path the file is followed under (LineEvent.file). */
    readonly path: string,
    /** Where the inode is now: `path`, or a rotated name found on start. */
    public location: string,
    private readonly handle: FileHandle,
    readonly dev: number,
    readonly ino: number,
  ) {}

  /** Opens `location` (default `path`); null when it is gone or not a regular file. */
  static async open(key: string, path: string, location = path): Promise<TailedFile | null> {
    let handle: FileHandle;
    try {
      handle = await open(location, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    const st = await handle.stat();
    if (!st.isFile()) {
      await handle.close();
      return null;
    }
    const file = new TailedFile(key, path, location, handle, st.dev, st.ino);
    file.size = st.size;
    file.mtimeMs = st.mtimeMs;
    return file;
  }

  async stat(): Promise<{ size: number }> {
    const st = await this.handle.stat();
    if (st.size > this.size) this.lastGrowthAt = Date.now();
    this.size = st.size;
    this.mtimeMs = st.mtimeMs;
    return st;
  }

  /**
   * Continues where a saved cursor stopped. A saved offset is right after a newline unless it is
   * inside a line that was cut or skipped; then the rest of that line is still to be discarded.
   */
  async resume(cursor: FileCursor): Promise<void> {
    this.offset = cursor.offset;
    this.line = cursor.line;
    this.firstLineHash = cursor.firstLineHash;
    this.split.skipping = false;
    if (cursor.offset > 0) {
      const one = Buffer.alloc(1);
      const { bytesRead } = await this.handle.read(one, 0, 1, cursor.offset - 1);
      this.split.skipping = bytesRead === 1 && one[0] !== 0x0a;
    }
  }

  /** Starts again at the first byte (a new file, a truncated one). */
  rewind(): void {
    this.offset = 0;
    this.line = 0;
    this.firstLineHash = '';
    this.split.skipping = false;
    this.unsaved = true;
  }

  /**
   * Positions after the last complete line; a last line without its newline is skipped (it was
   * being written before we started). Lines before the position are counted only when the file
   * grows (see countLinesIfUnknown): old files a glob matches are never read at all.
   */
  async seekEnd(limits: ReadLimits): Promise<void> {
    const { buf } = limits;
    const size = (await this.stat()).size;
    const from = Math.max(0, size - buf.length);
    const { bytesRead } = await this.handle.read(buf, 0, size - from, from);
    const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
    this.offset = nl >= 0 ? from + nl + 1 : from === 0 ? 0 : size;
    this.line = 0;
    if (this.offset < size) {
      this.offset = size;
      this.split.skipping = true;
    }
    this.firstLineHash = await this.hashFirstLine();
    this.unsaved = true;
  }

  /**
   * `line === 0` with `offset > 0` means the lines before the position were not counted yet
   * (opened at its end). Counts them, the line in progress included, unless the file is so big
   * that reading it through costs more than line numbers are worth: then lines stay unknown (0).
   * Returns whether it counted (and so overwrote `buf`).
   */
  private async countLinesIfUnknown(buf: Buffer): Promise<boolean> {
    if (this.line !== 0 || this.offset === 0 || this.offset > MAX_COUNTED_BYTES) return false;
    this.line = await countLines(this.handle, buf, this.offset);
    return true;
  }

  /**
   * Reads everything from the position to the end of the file and hands it on as chunks of whole
   * lines (one per read of up to the buffer's size), undecoded. The position moves once the
   * consumer took a chunk; a moved position no batch carried yet goes out alone.
   */
  async readToEnd(limits: ReadLimits, deliver: Deliver): Promise<void> {
    const { buf, maxLineBytes } = limits;
    let counted = false;
    for (;;) {
      const { bytesRead } = await this.handle.read(buf, 0, buf.length, this.offset);
      if (bytesRead === 0) break;
      // The identity is taken from the bytes read, not later: by then the file may hold other content.
      if (this.offset === 0 && this.firstLineHash === '') this.firstLineHash = hashFirstLineOf(buf, bytesRead);
      if (!counted) {
        counted = true;
        if (await this.countLinesIfUnknown(buf)) await this.handle.read(buf, 0, bytesRead, this.offset);
      }
      const { start, end } = wholeLines(buf, bytesRead, maxLineBytes, this.split);
      if (start > 0) {
        this.offset += start;
        this.unsaved = true;
      }
      if (end > start) await this.deliverChunk(buf.subarray(start, end), maxLineBytes, deliver);
      // A short read is the end of the file for now; a partial line is read again with its newline.
      if (bytesRead < buf.length) break;
    }
    if (this.unsaved && this.ownsKey) {
      this.unsaved = false;
      await deliver({ cursor: { key: this.key, value: await this.cursor() } });
    }
  }

  private async deliverChunk(bytes: Buffer, maxLineBytes: number, deliver: Deliver): Promise<void> {
    await this.noteFirstLine();
    const base = this.offset;
    const baseLine = this.line;
    const linesKnown = baseLine > 0 || base === 0;
    let read = -1;
    const cursorAt = (b: number, lines: number) => {
      if (b === bytes.length) read = lines;
      return this.ownsKey ? { key: this.key, value: this.cursorValue(base + b, linesKnown ? baseLine + lines : 0) } : undefined;
    };
    await deliver({ chunk: { file: this.path, bytes, firstLine: linesKnown ? baseLine + 1 : 0, maxLineBytes, cursorAt } });
    this.offset = base + bytes.length;
    if (linesKnown) this.line = baseLine + (read >= 0 ? read : countNewlines(bytes, 0, bytes.length) + (bytes[bytes.length - 1] === 0x0a ? 0 : 1));
    this.unsaved = false;
  }

  /** Where reading stands, as the consumer saves it. */
  async cursor(): Promise<FileCursor> {
    await this.noteFirstLine();
    return this.cursorValue(this.offset, this.line);
  }

  private cursorValue(offset: number, line: number): FileCursor {
    return { dev: this.dev, ino: this.ino, firstLineHash: this.firstLineHash, offset, line, path: this.location, mtimeMs: this.mtimeMs };
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }

  hashFirstLine(): Promise<string> {
    return hashFirstLine(this.handle);
  }

  /** What rotation-plan.ts decides on, as the file is now (its first line hashed again). */
  async facts(): Promise<FileFacts> {
    return { path: this.path, dev: this.dev, ino: this.ino, size: this.size, mtimeMs: this.mtimeMs, firstLineHash: await this.hashFirstLine() };
  }

  /** A file read from past its start keeps the hash of its first line once that line is complete. */
  private async noteFirstLine(): Promise<void> {
    if (this.firstLineHash === '' && this.offset > 0) this.firstLineHash = await hashFirstLine(this.handle);
  }
}
