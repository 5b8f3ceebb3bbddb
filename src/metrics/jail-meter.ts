/**
 * What one jail did, as plain numbers: the pipeline adds to them once per batch (a failure or a
 * ban adds one to an array slot), and prom-client reads them only when someone scrapes. Keeping
 * prom-client's label hashing off the hot path is what keeps metrics under 2% of throughput.
 *
 * Labels are bounded by the configuration: jail names, filter names, event kinds, a reason class
 * and the source's configured pattern (a glob stays one source however many files it matches).
 * No address, user name or matched file name ever becomes a label.
 */
import { EVENT_KINDS, type Ban, type EventKind } from '../core/types';

const EVENT_INDEX = new Map<string, number>(EVENT_KINDS.map((e, i) => [e, i]));

/** Ban reasons become one of these (a spray reason carries a user hash, a subnet one a prefix). */
export const BAN_REASONS = ['threshold', 'fingerprint', 'spray', 'subnet', 'recidive', 'manual', 'fleet', 'other'] as const;

export function reasonClass(reason: string): string {
  const head = reason.split(':', 1)[0];
  return (BAN_REASONS as readonly string[]).includes(head) ? head : 'other';
}

/** One configured source of a jail: its pattern is its label. */
export class SourceMeter {
  lines = 0;
  bytes = 0;
  /** Wall-clock ms of the last batch that held a line. */
  lastLineAt?: number;
  /** Per cursor key (one per file a glob matched): inode and offset already counted. */
  private readonly offsets = new Map<string, { ino: number; offset: number }>();

  constructor(readonly pattern: string) {}

  /** One batch read: lines, and bytes from the cursor's advance (text lengths when there is none). */
  read(lines: number, cursor: { key: string; value: unknown } | undefined, textBytes: () => number, now: number): void {
    this.lines += lines;
    if (lines > 0) this.lastLineAt = now;
    const value = cursor?.value as { ino?: number; offset?: number; line?: number } | undefined;
    if (cursor && value && typeof value.offset === 'number') {
      const before = this.offsets.get(cursor.key);
      const ino = value.ino ?? 0;
      if (before) this.bytes += before.ino === ino && value.offset >= before.offset ? value.offset - before.offset : value.offset;
      // First sight of a file: read from its start, the position is the count; resumed mid-file
      // (a restart), the lines' own bytes are (the bytes before were the last process's).
      else this.bytes += value.line === lines ? value.offset : textBytes();
      this.offsets.set(cursor.key, { ino, offset: value.offset });
    } else if (lines > 0) {
      this.bytes += textBytes();
    }
  }
}

export interface MeterHooks {
  /** Seconds from a line's own time to its ban being in the kernel. */
  observeBanLatency(jail: string, seconds: number): void;
  /** Seconds one firewall batch took. */
  observeFirewall(jail: string, action: string, seconds: number): void;
}

export class JailMeter {
  readonly sources = new Map<string, SourceMeter>();
  /** filter -> counts by event kind (index in EVENT_KINDS). */
  readonly events = new Map<string, Float64Array>();
  readonly strikes = new Float64Array(EVENT_KINDS.length);
  readonly bans = new Map<string, number>();
  readonly unbans = new Map<string, number>();
  /** Lines that held one of a filter's keywords yet matched no rule. */
  nearMisses = 0;
  /** Bans a customer's protection prevented (reduced weight, no fingerprint or spray ban). */
  spared = 0;
  /** Offenders whose strikes a successful login forgave. */
  forgiven = 0;
  readonly firewall = new Map<string, { batches: number; failures: number }>();
  readonly drift = { missing: 0, extra: 0 };
  /** The last reconcile that found the kernel different from the database (status reports it). */
  lastDrift?: { at: number; missing: number; extra: number };
  /** The line time of bans decided and not yet in the kernel. */
  private readonly lineTimes = new WeakMap<Ban, number>();

  constructor(
    readonly name: string,
    private readonly hooks: MeterHooks,
  ) {}

  /** The meter of a source id `jail:pattern` (its pattern is the label). */
  source(id: string): SourceMeter {
    let s = this.sources.get(id);
    if (!s) {
      s = new SourceMeter(id.startsWith(`${this.name}:`) ? id.slice(this.name.length + 1) : id);
      this.sources.set(id, s);
    }
    return s;
  }

  matched(filter: string, event: EventKind): void {
    let counts = this.events.get(filter);
    if (!counts) this.events.set(filter, (counts = new Float64Array(EVENT_KINDS.length)));
    counts[EVENT_INDEX.get(event)!]++;
  }

  struck(event: EventKind): void {
    this.strikes[EVENT_INDEX.get(event)!]++;
  }

  /** A ban on its way into the kernel (from a log line, an admin or the fleet). */
  banned(ban: Ban): void {
    const r = reasonClass(ban.reason);
    this.bans.set(r, (this.bans.get(r) ?? 0) + 1);
  }

  /** The time (epoch ms) of the line a ban was decided on: its latency is observed once in the kernel. */
  noteLineTime(ban: Ban, lineTime: number): void {
    this.lineTimes.set(ban, lineTime);
  }

  /** Bans lifted; `cause` is one of a few fixed words (cli, expiry, fleet). */
  unbanned(cause: string, count: number): void {
    this.unbans.set(cause, (this.unbans.get(cause) ?? 0) + count);
  }

  /** A firewall batch ended: `bans` are in the kernel at `at` when it succeeded. */
  firewallBatch(action: string, ok: boolean, seconds: number, bans: readonly Ban[], at: number): void {
    let f = this.firewall.get(action);
    if (!f) this.firewall.set(action, (f = { batches: 0, failures: 0 }));
    f.batches++;
    if (!ok) f.failures++;
    this.hooks.observeFirewall(this.name, action, seconds);
    if (!ok) return;
    for (const ban of bans) {
      const t = this.lineTimes.get(ban);
      if (t === undefined) continue;
      this.lineTimes.delete(ban);
      this.hooks.observeBanLatency(this.name, Math.max(0, at - t) / 1000);
    }
  }

  reconciled(missing: number, extra: number, at: number): void {
    this.drift.missing += missing;
    this.drift.extra += extra;
    if (missing + extra > 0) this.lastDrift = { at, missing, extra };
  }
}
