/**
 * Follows the fleet's event log from this node's stored position (XREAD BLOCK on its own
 * connection): catching up after an outage or a restart is just reading on from there. When the
 * position is older than anything the log still holds (trimmed, or Redis restarted empty), or on a
 * node's first start, the fleet's active-ban set is read instead, so no active ban is missed.
 */
import { senderPrefix, type Signer } from './fleet-event';
import type { RemoteApplier } from './remote-apply';
import { compareIds, type FleetTransport } from './transport';

const BLOCK_MS = 1000;
const COUNT = 500;
const PAUSE_MS = 250;

export interface ReaderCounters {
  /** Events dropped: unsigned, badly signed or malformed (a forgery, or a node with another key). */
  rejected: number;
  resyncs: number;
  /** Publish time to apply time of the latest event from another node. */
  lagMs: number;
  lastEventAt?: number;
}

export class EventReader {
  readonly counters: ReaderCounters = { rejected: 0, resyncs: 0, lagMs: 0 };
  private needSync = true;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private readonly ownPrefix: string;

  constructor(
    private readonly transport: FleetTransport,
    private readonly signer: Signer,
    private readonly applier: RemoteApplier,
    private readonly isReady: () => boolean,
    private readonly self: string,
    private readonly log: { warn(ctx: object, msg: string): void; info(ctx: object, msg: string): void },
    private readonly now: () => number,
  ) {
    this.ownPrefix = senderPrefix(self);
  }

  start(): void {
    this.loop = this.run();
  }

  /** Redis came back (maybe empty): check the position against the log before reading on. */
  resyncNeeded(): void {
    this.needSync = true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!this.isReady()) {
          await new Promise((r) => setTimeout(r, PAUSE_MS));
          continue;
        }
        if (this.needSync) {
          this.needSync = false;
          await this.sync();
        }
        await this.readOnce();
      } catch {
        // Redis away or the read cut off: the transport reports it; try again shortly.
        if (!this.stopped) await new Promise((r) => setTimeout(r, PAUSE_MS));
      }
    }
  }

  private async sync(): Promise<void> {
    const position = this.applier.position();
    const { first, last } = await this.transport.bounds();
    if (position === null || first === null || compareIds(first, position) > 0 || compareIds(last!, position) < 0) await this.resync();
    if (position === null) this.applier.setPosition(last ?? '0-0');
    // An empty log, or one that ends before our position, is a new log (Redis restarted empty,
    // maybe on a clock behind the old one's): read all of it; sequence numbers drop what we had.
    else if (first === null || compareIds(last!, position) < 0) this.applier.setPosition('0-0');
  }

  private async resync(): Promise<void> {
    let applied = 0;
    await this.transport.eachActive((page) => {
      const bans = [];
      for (const record of page) {
        const ban = this.signer.openActive(record);
        if (!ban) this.reject('an active ban', record.payload);
        else if (ban.node !== this.self) bans.push(ban);
      }
      applied += this.applier.applyBans(bans, this.now());
    });
    this.counters.resyncs++;
    this.log.info({ applied }, 'fleet: active bans read from the fleet');
  }

  private async readOnce(): Promise<void> {
    const position = this.applier.position() ?? '0-0';
    const entries = await this.transport.read(position, BLOCK_MS, COUNT);
    if (entries.length === 0) {
      this.counters.lagMs = 0;
      return;
    }
    const events = [];
    for (const entry of entries) {
      // This node's own events come back too: only their signature is checked (a forgery naming
      // this node is still counted), not parsed: that spares a third of a three-node flood.
      if (entry.payload.startsWith(this.ownPrefix)) {
        if (!this.signer.verifies(entry)) this.reject(`event ${entry.id}`, entry.payload);
        continue;
      }
      const ev = this.signer.openEvent(entry);
      if (!ev) this.reject(`event ${entry.id}`, entry.payload);
      else if (ev.node !== this.self) events.push(ev);
    }
    const now = this.now();
    this.applier.applyEvents(events, entries[entries.length - 1].id, now);
    if (events.length > 0) {
      this.counters.lagMs = Math.max(0, now - events[events.length - 1].t);
      this.counters.lastEventAt = now;
    }
  }

  private reject(what: string, payload: string): void {
    this.counters.rejected++;
    this.log.warn({ what, payload: payload.slice(0, 200) }, 'fleet: dropped an unsigned, badly signed or malformed record');
  }
}
