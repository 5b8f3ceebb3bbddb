/** What a source hands each of its files to read with, and how a file hands a batch back. */
import type { FileCursor } from '../core/types';
import type { FileChunk } from './source';

export interface ReadLimits {
  /** Shared read buffer (reads of one source never overlap); longer than maxLineBytes. */
  buf: Buffer;
  maxLineBytes: number;
}

/**
 * Hands a batch over: a chunk of whole lines, or only a cursor (`cursor` null when the file no
 * longer owns its key). Resolves once the consumer took it.
 */
export type Deliver = (batch: { chunk: FileChunk } | { cursor: { key: string; value: FileCursor } }) => Promise<void>;
