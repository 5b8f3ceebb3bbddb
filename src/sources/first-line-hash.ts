/**
 * A file's identity beyond its inode: inodes are recycled, so a saved cursor also remembers a hash
 * of the file's first line. Only the first HASHED_BYTES bytes count, so a huge first line costs
 * one small read.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

const HASHED_BYTES = 1024;

/**
 * Hash (hex, 16 chars) of the first line without its newline, or '' while that line is not
 * complete yet (no newline within the first HASHED_BYTES bytes of a shorter file).
 */
export async function hashFirstLine(handle: FileHandle): Promise<string> {
  const buf = Buffer.alloc(HASHED_BYTES);
  const { bytesRead } = await handle.read(buf, 0, HASHED_BYTES, 0);
  return hashFirstLineOf(buf, bytesRead);
}

/** The same hash from the first `bytesRead` bytes of a file, already read into `buf`. */
export function hashFirstLineOf(buf: Buffer, bytesRead: number): string {
  const n = Math.min(bytesRead, HASHED_BYTES);
  const nl = buf.subarray(0, n).indexOf(0x0a);
  if (nl < 0 && n < HASHED_BYTES) return '';
  const line = buf.subarray(0, nl < 0 ? HASHED_BYTES : nl);
  return createHash('sha256').update(line).digest('hex').slice(0, 16);
}
