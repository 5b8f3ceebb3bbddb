/**
 * Applies what other nodes decided. One SQLite transaction per read holds the remote strikes, the
 * bans, the lifts, the stream position and each sender's last sequence number, so an event is
 * applied once even across a kill -9. Every ban still passes this node's own guard: ignore lists,
 * own addresses, customers (of any local jail) and the widest prefix a jail would make itself. A
 * node never bans its own addresses because another asked.
 */
import { untilText } from '../core/clock';
import type { Ban, Strike } from '../core/types';
import type { Store } from '../store/store';
import { banOfWire, type FleetEvent, type WireStrike, type WireUnban } from './fleet-event';
import type { FleetJail, FleetJails } from './fleet-jails';

export interface ApplyCounters {
  events: number;
  duplicates: number;
  bans: number;
  refused: number;
  unbans: number;
  strikes: number;
}

export interface ApplyLog {
  info(ctx: object, msg: string): void;
  debug?(ctx: object, msg: string): void;
}

const POSITION = 'fleet:position';

export class RemoteApplier {
  readonly counters: ApplyCounters = { events: 0, duplicates: 0, bans: 0, refused: 0, unbans: 0, strikes: 0 };

  constructor(
    private readonly store: Store,
    private readonly jails: () => FleetJails,
    private readonly log: ApplyLog,
  ) {}

  position(): string | null {
    return this.store.getCursor<string>(POSITION) ?? null;
  }

  setPosition(id: string): void {
    this.store.setCursor(POSITION, id);
  }

  /** Events read from the log, in order; `position` is the last one's id. */
  applyEvents(events: FleetEvent[], position: string, now: number): void {
    const work = new Work(this.jails());
    this.store.transaction(() => {
      for (const ev of events) {
        const seen = `fleet:seq:${ev.node}/${ev.inc}`;
        if (ev.seq <= (this.store.getCursor<number>(seen) ?? 0)) {
          this.counters.duplicates++;
          continue;
        }
        this.store.setCursor(seen, ev.seq);
        this.counters.events++;
        for (const s of ev.strikes ?? []) this.strike(s, ev.node, work);
        for (const w of ev.bans ?? []) this.ban({ ...banOfWire(w), node: ev.node }, now, work);
        for (const u of ev.unbans ?? []) this.unban(u, now, work);
      }
      work.persist(this.store);
      this.setPosition(position);
    });
    work.flush();
  }

  /** Bans read from the fleet's active set (a resync): those not already here are applied. */
  applyBans(bans: Ban[], now: number): number {
    const work = new Work(this.jails());
    this.store.transaction(() => {
      for (const b of bans) if (b.until > now) this.ban(b, now, work);
      work.persist(this.store);
    });
    work.flush();
    return work.banned;
  }

  private strike(w: WireStrike, node: string, work: Work): void {
    const [jailName, ip, time, event, weight, userHash] = w;
    const jail = work.jails.get(jailName);
    // A customer's login makes it a customer in every jail here (customers everywhere).
    if (event === 'auth-success') for (const j of work.jails.all) j.engine?.addRemoteStrike(ip, time, event, 0, null);
    else if (jail?.sharesCounts) jail.engine?.addRemoteStrike(ip, time, event, weight, userHash);
    if (!jail?.sharesCounts || !jail.engine) return;
    work.strikes.push({ ip, jail: jailName, time, event, weight, rule: `fleet/${node}`, userHash: userHash ?? undefined, source: `fleet:${node}` });
    this.counters.strikes++;
  }

  private ban(remote: Ban, now: number, work: Work): void {
    const jail = work.jails.get(remote.jail) ?? work.jails.fallback();
    const ban = { ...remote, jail: jail.name };
    if (this.isBanned(jail, ban, now)) return;
    const customer = work.jails.all.some((j) => j.engine?.hasCustomer(ban.ip, now));
    const accepted = !customer && (jail.engine ? jail.engine.acceptRemoteBan(ban, now) : !jail.guard.isProtected(ban.ip));
    if (!accepted) {
      this.counters.refused++;
      this.log.info({ jail: jail.name, ip: ban.ip, node: ban.node, reason: ban.reason }, 'fleet ban refused by the local guard');
      return;
    }
    work.ban(jail, ban);
    this.counters.bans++;
    // debug: the registry's ban log says it once at info, with by: fleet (daemon/ban-log.ts)
    this.log.debug?.({ jail: jail.name, ip: ban.ip, reason: ban.reason, until: untilText(ban.until), node: ban.node }, 'ban from the fleet');
  }

  /** Already banned here (by the engine's memory; the manual jail asks the store). */
  private isBanned(jail: FleetJail, ban: Ban, now: number): boolean {
    if (jail.engine) return jail.engine.isBanned(ban.ip, now);
    return this.store.activeBans(now, { jail: jail.name, ip: ban.ip }).some((b) => b.ip === ban.ip && b.until >= ban.until);
  }

  private unban(u: WireUnban, now: number, work: Work): void {
    if (u.jail && !work.jails.get(u.jail)) return;
    work.persist(this.store); // what came before the lift is stored before it, so the lift covers it
    const lifted = this.store.liftBans(u.ip, now, u.jail ?? undefined);
    if (u.ip !== '*') this.store.clearStrikes(u.ip, u.jail ?? undefined);
    for (const j of work.jails.all) if (!u.jail || j.name === u.jail) j.engine?.forget(u.ip);
    for (const row of lifted) {
      const jail = work.jails.get(row.jail);
      if (!jail) continue;
      jail.engine?.forget(row.ip);
      work.unban(jail, row.ip);
      this.counters.unbans++;
    }
    this.log.debug?.({ ip: u.ip, jail: u.jail ?? undefined, lifted: lifted.length }, 'unban from the fleet');
  }
}

/**
 * The jails as one apply sees them, each looked up once (a flood's read holds thousands of bans;
 * a reload cannot swap the jails in the middle of a synchronous apply).
 */
class JailsNow {
  readonly all: FleetJail[];
  private readonly byName = new Map<string, FleetJail | undefined>();

  constructor(private readonly jails: FleetJails) {
    this.all = [...jails.all()];
  }

  get(name: string): FleetJail | undefined {
    if (!this.byName.has(name)) this.byName.set(name, this.jails.get(name));
    return this.byName.get(name);
  }

  fallback(): FleetJail {
    return this.jails.fallback();
  }
}

/** What one apply hands to the firewall once its transaction has committed. */
class Work {
  readonly jails: JailsNow;
  readonly strikes: Strike[] = [];
  private unstored: Ban[] = [];
  banned = 0;
  private readonly bans = new Map<FleetJail, Ban[]>();
  private readonly unbans = new Map<FleetJail, string[]>();

  constructor(jails: FleetJails) {
    this.jails = new JailsNow(jails);
  }

  ban(jail: FleetJail, ban: Ban): void {
    this.unstored.push(ban);
    this.banned++;
    const list = this.bans.get(jail);
    if (list) list.push(ban);
    else this.bans.set(jail, [ban]);
  }

  unban(jail: FleetJail, ip: string): void {
    // a ban and its lift read together: the lift is the later word
    const banned = this.bans.get(jail);
    if (banned) this.bans.set(jail, banned.filter((b) => b.ip !== ip));
    const list = this.unbans.get(jail);
    if (list) list.push(ip);
    else this.unbans.set(jail, [ip]);
  }

  /** Writes the strikes and bans gathered so far (inside the caller's transaction). */
  persist(store: Store): void {
    store.addStrikes(this.strikes.splice(0));
    store.recordBans(this.unstored);
    this.unstored = [];
  }

  flush(): void {
    for (const [jail, ips] of this.unbans) jail.unban(ips);
    for (const [jail, bans] of this.bans) jail.ban(bans);
  }
}
