/**
 * Publishes the outbox, oldest first, and keeps the fleet's active-ban set in step with what it
 * publishes. Kicked after every commit that added rows and whenever Redis (re)connects; while Redis
 * is away the rows simply stay in SQLite (the node goes on banning alone) and go out, in order, when
 * it returns. A row is deleted only after Redis holds it; publishing twice is harmless (the
 * transport skips sequence numbers it has).
 */
import type { Ban } from '../core/types';
import type { Store } from '../store/store';
import { activeKey, banOfWire, eventText, type EventBody, type Signer } from './fleet-event';
import type { ActiveEntry, FleetTransport } from './transport';

const ROWS_PER_PUBLISH = 200;
const RETRY_MS = 1000;

export interface Sender {
  node: string;
  inc: string;
}

export class OutboxPublisher {
  published = 0;
  private running: Promise<void> | null = null;
  private again = false;
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly transport: FleetTransport,
    private readonly signer: Signer,
    private readonly sender: Sender,
    private readonly onError: (err: string) => void,
    private readonly now: () => number,
  ) {}

  /** Publish what is pending, now or right after the round in flight. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.running = this.drain()
      .catch((e) => {
        this.onError((e as Error).message);
        if (!this.stopped) this.retry = setTimeout(() => this.kick(), RETRY_MS);
        this.retry?.unref();
      })
      .finally(() => {
        this.running = null;
        if (this.again && !this.retry) this.kick();
      });
  }

  /**
   * Every active ban this node holds back into the fleet's set: after Redis restarted empty, the
   * nodes together put back every ban that matters. Idempotent, so it runs on every (re)connect.
   */
  async putBackActive(): Promise<number> {
    const now = this.now();
    const bans = this.store.activeBans(now);
    await this.transport.putActive(bans.map((b) => this.activeEntry(b)), now);
    return bans.length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.running;
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      for (;;) {
        const rows = this.store.outbox.oldest(ROWS_PER_PUBLISH);
        if (rows.length === 0) break;
        const t = this.now();
        const events = rows.map((r) => ({ seq: r.seq, ...this.signer.sign(eventText(this.sender.node, this.sender.inc, r.seq, t, r.body)) }));
        await this.transport.publish(`${this.sender.node}/${this.sender.inc}`, events);
        await this.syncActive(rows.map((r) => JSON.parse(r.body) as EventBody), t);
        this.store.outbox.deleteThrough(rows[rows.length - 1].seq);
        this.published += rows.length;
      }
    } while (this.again && !this.stopped);
  }

  private async syncActive(bodies: EventBody[], now: number): Promise<void> {
    const put: ActiveEntry[] = [];
    const removed: string[] = [];
    for (const body of bodies) {
      for (const w of body.bans ?? []) put.push(this.activeEntry(banOfWire(w)));
      for (const u of body.unbans ?? []) removed.push(...u.lifted);
    }
    if (put.length > 0) await this.transport.putActive(put, now);
    if (removed.length > 0) await this.transport.removeActive(removed);
  }

  private activeEntry(b: Ban): ActiveEntry {
    return { key: activeKey(b.jail, b.ip), until: b.until, ...this.signer.signActive(b, this.sender.node) };
  }
}
