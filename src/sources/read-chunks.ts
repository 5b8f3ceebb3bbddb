/**
 * Reads a whole file as Buffers of complete lines (for check, replay and catch-up): big reads,
 * no decoding here, so the matcher can skip lines without keywords at the cost of a byte scan.
 * A final line without a newline is delivered last, as a line.
 */
import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK_BYTES = 4 * 1024 * 1024;

export function readFileChunks(path: string, onChunk: (chunk: Buffer) => void): number {
  const fd = openSync(path, 'r');
  let total = 0;
  try {
    let buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let carried = 0;
    for (;;) {
      if (carried === buf.length) {
        // one line longer than the buffer: grow rather than cut it (check must see every byte)
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, carried);
        buf = bigger;
      }
      const n = readSync(fd, buf, carried, buf.length - carried, null);
      total += n;
      const end = carried + n;
      if (n === 0) {
        if (end > 0) onChunk(buf.subarray(0, end));
        break;
      }
      const lastNewline = buf.lastIndexOf(10, end - 1);
      if (lastNewline < 0) {
        carried = end;
        continue;
      }
      onChunk(buf.subarray(0, lastNewline + 1));
      carried = end - lastNewline - 1;
      // the chunk handed out must stay valid until onChunk returns only: reuse after copying the tail
      buf.copy(buf, 0, lastNewline + 1, end);
    }
  } finally {
    closeSync(fd);
  }
  return total;
}
