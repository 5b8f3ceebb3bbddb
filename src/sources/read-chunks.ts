/**
 * Reads a whole log file (or a pipe: `check <(zcat mail.log.1.gz)`) as Buffers of complete lines,
 * for `check` and `replay`: big reads and no decoding here, so the matcher can skip lines
 * without keywords at the cost of a byte scan. A final line without a newline comes last.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { MailjailError } from '../core/errors';

const CHUNK_BYTES = 4 * 1024 * 1024;

export interface LogFileRead {
  bytes: number;
  /** Anchors syslog year inference: the file's mtime, or now for a pipe. */
  referenceTime: number;
}

/**
 * Calls `onChunk` with each run of whole lines; the Buffer is only valid during the call.
 * `onOpen` receives the reference time before the first chunk.
 */
export function readLogFile(path: string, onChunk: (chunk: Buffer) => void, onOpen?: (referenceTime: number) => void): LogFileRead {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new MailjailError('INPUT', `cannot read ${path}: ${describe(e)}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new MailjailError('INPUT', `cannot read ${path}: is a directory`);
    const referenceTime = st.isFile() ? st.mtimeMs : Date.now();
    onOpen?.(referenceTime);
    let buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let filled = 0;
    let bytes = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, filled, buf.length - filled, null);
      } catch (e) {
        throw new MailjailError('INPUT', `cannot read ${path}: ${describe(e)}`);
      }
      bytes += n;
      const end = filled + n;
      if (n === 0) {
        if (end > 0) onChunk(buf.subarray(0, end));
        break;
      }
      const lastNewline = buf.lastIndexOf(10, end - 1);
      if (lastNewline < 0) {
        // one line longer than the buffer: grow rather than cut it (check must see every byte)
        if (end === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]);
        filled = end;
        continue;
      }
      onChunk(buf.subarray(0, lastNewline + 1));
      buf.copy(buf, 0, lastNewline + 1, end); // overlapping copy is safe (memmove)
      filled = end - lastNewline - 1;
    }
    return { bytes, referenceTime };
  } finally {
    closeSync(fd);
  }
}

function describe(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return 'no such file';
  if (err.code === 'EACCES') return 'permission denied';
  if (err.code === 'EISDIR') return 'is a directory';
  return err.code ?? err.message;
}
