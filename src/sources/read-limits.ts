/** What a source hands each of its files to read with, and how a file hands a batch back. */
import type { FileCursor, LineEvent } from '../core/types';
import type { LineGate } from './source';

export interface ReadLimits {
  sourceId: string;
  /** Shared read buffer (reads of one source never overlap); longer than maxLineBytes. */
  buf: Buffer;
  maxLineBytes: number;
  /** Lines delivered per batch, at most. */
  maxBatchLines: number;
  /** Which lines to deliver (FileSourceOptions.gate); asked once per read of gateMinBytes or more. */
  gate?: () => LineGate | undefined;
  gateMinBytes: number;
}

/**
 * Hands a batch over; `cursor` is null when this file no longer owns its key. `lines`: lines read
 * for the batch, `events` among them or not.
 */
export type Deliver = (events: LineEvent[], cursor: { key: string; value: FileCursor } | null, lines: number) => Promise<void>;
