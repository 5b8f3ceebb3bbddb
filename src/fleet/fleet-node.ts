/**
 * This server as a node of a fleet: what it decides goes into the outbox (in the same transaction
 * as the decision) and out to Redis; what the others decide comes in through the reader and the
 * local guard. SQLite stays the authority: with Redis away the node bans alone and catches up later.
 */
import { randomBytes } from 'node:crypto';
import type { FleetConfig } from '../config/load-config';
import type { Ban, Strike } from '../core/types';
import type { Store } from '../store/store';
import { EventReader } from './event-reader';
import { activeKey, Signer, wireOfBan, type EventBody, type WireStrike } from './fleet-event';
import type { FleetJails } from './fleet-jails';
import { readFleetKeys, type FleetKeys } from './fleet-secret';
import { OutboxPublisher } from './outbox-publisher';
import { RedisTransport } from './redis-transport';
import { RemoteApplier } from './remote-apply';
import type { FleetTransport } from './transport';

export interface FleetLog {
  info(ctx: object, msg: string): void;
  warn(ctx: object, msg: string): void;
  error(ctx: object, msg: string): void;
}

export interface FleetStatus {
  node: string;
  connected: boolean;
  lastError?: string;
  /** Events decided here, not yet in Redis. */
  pending: number;
  /** How old the latest event from another node was when it was applied here (0 when idle). */
  lagMs: number;
  position: string | null;
  published: number;
  received: number;
  duplicates: number;
  bansApplied: number;
  bansRefused: number;
  unbansApplied: number;
  rejected: number;
  resyncs: number;
}

export class FleetNode {
  readonly node: string;
  private readonly keys: FleetKeys;
  private readonly transport: FleetTransport;
  private readonly publisher: OutboxPublisher;
  private readonly reader: EventReader;
  private readonly applier: RemoteApplier;

  constructor(config: FleetConfig, private readonly store: Store, jails: () => FleetJails, private readonly log: FleetLog, now: () => number, transport?: FleetTransport) {
    this.node = config.node;
    this.keys = readFleetKeys(config.secretFile);
    const signer = new Signer(this.keys.signKey);
    let lastError = '';
    const onError = (err: string) => {
      if (err !== lastError) log.warn({ err }, 'fleet: Redis unavailable; banning alone, publishing later');
      lastError = err;
    };
    this.transport = transport ?? new RedisTransport(config, onError);
    let inc = store.getMeta('fleet-incarnation');
    if (!inc) {
      inc = randomBytes(6).toString('hex');
      store.setMeta('fleet-incarnation', inc);
    }
    this.publisher = new OutboxPublisher(store, this.transport, signer, { node: this.node, inc }, onError, now);
    this.applier = new RemoteApplier(store, jails, log);
    this.reader = new EventReader(this.transport, signer, this.applier, () => jails().ready(), this.node, log, now);
    this.transport.onConnection((connected) => {
      if (!connected) return;
      lastError = '';
      log.info({ node: this.node }, 'fleet: connected to Redis');
      this.reader.resyncNeeded();
      this.publisher.kick();
      this.publisher.putBackActive().catch((e) => onError((e as Error).message));
    });
  }

  /** The key user names are hashed with: the fleet's, so a spray over several servers is one spray. */
  get userHashKey(): string {
    return this.keys.userKey;
  }

  start(): void {
    this.reader.start();
    this.publisher.kick();
  }

  /**
   * Records what a jail decided, for publishing. Call inside the transaction that stores it; bans
   * made here carry this node's name. `sharesCounts` false (`fleet: false`) keeps the strikes home.
   */
  share(strikes: Strike[], bans: Ban[], sharesCounts: boolean): void {
    const body: EventBody = {};
    if (sharesCounts && strikes.length > 0) body.strikes = strikes.map(wireOfStrike);
    if (bans.length > 0) {
      for (const b of bans) b.node ??= this.node;
      body.bans = bans.map(wireOfBan);
    }
    if (body.strikes || body.bans) this.enqueue(body);
  }

  /** An admin lifted bans of a jail here: lift them everywhere. */
  shareLifted(jail: string, ips: readonly string[]): void {
    if (ips.length > 0) this.enqueue({ unbans: ips.map((ip) => ({ ip, jail, lifted: [activeKey(jail, ip)] })) });
  }

  status(): FleetStatus {
    const t = this.transport.status();
    const a = this.applier.counters;
    const r = this.reader.counters;
    return {
      node: this.node,
      connected: t.connected,
      lastError: t.lastError,
      pending: this.store.outbox.count(),
      lagMs: r.lagMs,
      position: this.applier.position(),
      published: this.publisher.published,
      received: a.events,
      duplicates: a.duplicates,
      bansApplied: a.bans,
      bansRefused: a.refused,
      unbansApplied: a.unbans,
      rejected: r.rejected,
      resyncs: r.resyncs,
    };
  }

  async stop(): Promise<void> {
    await this.publisher.stop();
    const reading = this.reader.stop();
    await this.transport.close();
    await reading;
  }

  private enqueue(body: EventBody): void {
    this.store.outbox.add(JSON.stringify(body));
    // after the caller's transaction commits (it is synchronous): publish what it added
    setImmediate(() => this.publisher.kick());
  }
}

function wireOfStrike(s: Strike): WireStrike {
  return [s.jail, s.ip, s.time, s.event, s.weight, s.userHash ?? null];
}
