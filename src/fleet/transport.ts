/**
 * What the fleet needs from a shared engine, and nothing more: an ordered log of signed events
 * every node reads from its own position, and a set of the fleet's active bans that a node which
 * fell too far behind (or a fresh one) reads instead. Redis implements it (redis-transport.ts);
 * another engine (NATS JetStream, PostgreSQL) would implement these few calls.
 */
import type { Signed } from './fleet-event';

export interface LoggedEvent extends Signed {
  /** The engine's position of this event; positions compare as `compareIds` says. */
  id: string;
}

export interface ActiveEntry extends Signed {
  /** `jail ip` (fleet-event.ts activeKey). */
  key: string;
  /** Epoch ms when the ban ends (Infinity: never). */
  until: number;
}

export interface TransportStatus {
  connected: boolean;
  /** What the engine said last when something failed. */
  lastError?: string;
}

export interface FleetTransport {
  /** `fn(true)` each time the engine (again) takes commands, `fn(false)` when it is lost. */
  onConnection(fn: (connected: boolean) => void): void;
  status(): TransportStatus;
  /**
   * Appends a sender's events in sequence order. Idempotent: a sequence number the engine already
   * holds for this sender is skipped (a node killed between publishing and forgetting its outbox
   * publishes the same rows again). Rejects when the engine cannot be reached.
   */
  publish(sender: string, events: Array<Signed & { seq: number }>): Promise<void>;
  /** Events after position `after`, waiting up to `blockMs` for the first one. */
  read(after: string, blockMs: number, count: number): Promise<LoggedEvent[]>;
  /** The first and last positions held (null when empty): a reader whose position is older than `first` missed events. */
  bounds(): Promise<{ first: string | null; last: string | null }>;
  putActive(entries: ActiveEntry[], now: number): Promise<void>;
  removeActive(keys: string[]): Promise<void>;
  /** Every active entry, a page at a time. */
  eachActive(fn: (page: Signed[]) => void): Promise<void>;
  close(): Promise<void>;
}

/** Orders Redis stream ids (`ms-seq`); other engines keep the same shape of position. */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am !== bm ? am - bm : (as || 0) - (bs || 0);
}
