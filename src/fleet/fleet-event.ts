/**
 * What nodes tell each other, and how they prove it. One event carries what one node decided in
 * one step (a batch of log lines, an admin command): its strikes (customer logins included, as
 * `auth-success`), its bans and its unbans. Every event is signed with HMAC-SHA256 under a key
 * derived from the fleet's shared secret and names its sender; a receiver drops anything unsigned,
 * badly signed or malformed. User names travel only as keyed hashes (the shared user key).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Ban, EventKind } from '../core/types';
import { isActiveShape, isEventShape } from './event-shape';

/** [jail, ip, time, event, weight, userHash] */
export type WireStrike = [string, string, number, EventKind, number, string | null];
/** [jail, ip, since, until (null = never ends), reason, count] */
export type WireBan = [string, string, number, number | null, string, number];
export interface WireUnban {
  /** What the admin asked: an address, a prefix or `*`; with the jail when one was named. */
  ip: string;
  jail: string | null;
  /** `jail ip` of each ban it lifted on the sender (taken out of Redis's active set). */
  lifted: string[];
}

/** What the daemon puts in the outbox. */
export interface EventBody {
  strikes?: WireStrike[];
  bans?: WireBan[];
  unbans?: WireUnban[];
}

/** A published event: the body plus who sent it, and where it sits in the sender's sequence. */
export interface FleetEvent extends EventBody {
  v: 1;
  node: string;
  /** The sender's database incarnation: a node whose database was wiped starts a new sequence. */
  inc: string;
  seq: number;
  /** When it was published (epoch ms): receivers measure their lag with it. */
  t: number;
}

/** A signed record: the JSON text and its signature, as stored in Redis. */
export interface Signed {
  payload: string;
  sig: string;
}

export class Signer {
  constructor(private readonly key: Buffer) {}

  sign(payload: string): Signed {
    return { payload, sig: createHmac('sha256', this.key).update(payload).digest('hex') };
  }

  /** Is the record signed with the fleet's key? */
  verifies(record: Partial<Signed>): boolean {
    if (typeof record.payload !== 'string' || typeof record.sig !== 'string' || !/^[0-9a-f]{64}$/.test(record.sig)) return false;
    const want = createHmac('sha256', this.key).update(record.payload).digest();
    return timingSafeEqual(want, Buffer.from(record.sig, 'hex'));
  }

  /** The payload's JSON value when the signature is right, else null. */
  open(record: Partial<Signed>): unknown {
    if (!this.verifies(record)) return null;
    try {
      return JSON.parse(record.payload as string);
    } catch {
      return null;
    }
  }

  /** A signed, well-formed event, or null. */
  openEvent(record: Partial<Signed>): FleetEvent | null {
    const value = this.open(record);
    return isEventShape(value) ? (value as FleetEvent) : null;
  }

  /** A signed, well-formed active ban, or null. */
  openActive(record: Partial<Signed>): Ban | null {
    const value = this.open(record);
    if (!isActiveShape(value)) return null;
    const { node, ban } = value as { node: string; ban: WireBan };
    return { ...banOfWire(ban), node };
  }

  signActive(ban: Ban, node: string): Signed {
    return this.sign(JSON.stringify({ node: ban.node ?? node, ban: wireOfBan(ban) }));
  }
}

export function wireOfBan(b: Ban): WireBan {
  return [b.jail, b.ip, b.since, Number.isFinite(b.until) ? b.until : null, b.reason, b.count];
}

export function banOfWire(w: WireBan): Ban {
  return { jail: w[0], ip: w[1], since: w[2], until: w[3] ?? Infinity, reason: w[4], count: w[5] };
}

/** How every event this node publishes begins (eventText): the reader skips its own by it. */
export function senderPrefix(node: string): string {
  return `{"v":1,"node":${JSON.stringify(node)},`;
}

/**
 * A FleetEvent's JSON text, written around the outbox's body (already JSON) rather than parsing
 * and re-serialising it: a flood's events hold thousands of bans.
 */
export function eventText(node: string, inc: string, seq: number, t: number, body: string): string {
  const head = `${senderPrefix(node)}"inc":${JSON.stringify(inc)},"seq":${seq},"t":${t}`;
  return body.length > 2 ? `${head},${body.slice(1)}` : `${head}}`;
}

/** The key of a ban in Redis's active set. */
export function activeKey(jail: string, ip: string): string {
  return `${jail} ${ip}`;
}
