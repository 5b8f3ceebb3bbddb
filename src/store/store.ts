/**
 * The database: strikes, bans (with their history), file cursors and a little meta, in one
 * SQLite file. Synchronous by design (better-sqlite3): a batch of writes is one transaction, and
 * nothing awaits inside one. The daemon is the only writer; the CLI may open the same file
 * read-only meanwhile, which WAL allows without blocking either side.
 */
import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { Ban, Strike } from '../core/types';
import { BAN_COLUMNS, CURRENT, banFilter, overlapFilter, toBanRow, writeBans } from './ban-rows';
import type { ActiveBanQuery, BanRow } from './ban-rows';
import { addJail, whereClause, type Filter } from './filter';
import { keyRangeOf } from './ip-key';
import { readCursor, readMeta, writeCursor, writeMeta } from './key-values';
import { openDatabase } from './open-database';
import { Outbox } from './outbox';
import { Statements } from './statements';
import { NO_LIMIT, pruneRows, type PruneCounts } from './prune';
import { INSERT_STRIKE, STRIKE_COLUMNS, strikeParams, toStrike } from './strike-rows';

export type { ActiveBanQuery, BanRow } from './ban-rows';

export interface StoreOptions {
  /** Open an existing, migrated database for reading only (the CLI while the daemon runs). */
  readonly?: boolean;
}

export class Store {
  private readonly statements: Statements;
  private readonly sql = (text: string): Database.Statement => this.statements.get(text);
  private readonly insertStrikes: (strikes: Strike[]) => void;
  private readonly upsertBans: (bans: Ban[]) => void;
  /** What this node must still publish to its fleet (empty outside a fleet). */
  readonly outbox: Outbox;

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    readonly isReadonly: boolean,
    /** The file did not exist before this open: a first start, or a damaged one moved aside. */
    readonly created = false,
  ) {
    this.statements = new Statements(db);
    this.outbox = new Outbox(this.sql);
    this.insertStrikes = db.transaction((strikes: Strike[]) => {
      const insert = this.sql(INSERT_STRIKE);
      for (const s of strikes) insert.run(strikeParams(s));
    });
    this.upsertBans = db.transaction((bans: Ban[]) => writeBans(this.sql, bans));
  }

  /** Opens (and, unless read-only, creates and migrates) the database; the parent directory must exist. */
  static open(path: string, options: StoreOptions = {}): Store {
    const readonly = options.readonly ?? false;
    const created = !readonly && !existsSync(path);
    return new Store(openDatabase(path, readonly), path, readonly, created);
  }

  /** Run fn in one transaction (better-sqlite3 .transaction semantics; fn must be synchronous). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  addStrikes(strikes: Strike[]): void {
    if (strikes.length) this.insertStrikes(strikes);
  }

  /** Strikes of one ip (or all IPs inside a CIDR), newest first, optionally for one jail — for `mailjail why`. */
  strikesOf(ipOrCidr: string, jail?: string, limit = NO_LIMIT): Strike[] {
    const f = this.strikeFilter(ipOrCidr, jail);
    const sql = `SELECT ${STRIKE_COLUMNS} FROM strikes ${whereClause(f.where)} ORDER BY time DESC, id DESC LIMIT @limit`;
    return this.sql(sql).all({ ...f.params, limit }).map(toStrike);
  }

  /**
   * The few fields the decision engine rebuilds its windows from, oldest first, streamed: a week
   * of strikes can be a million rows, and whole Strike objects (log line included) would cost
   * seconds of garbage collection at start.
   */
  eachStrikeFact(sinceMs: number, jail: string, fn: (ip: string, time: number, event: string, weight: number) => void): number {
    return this.statements.eachRaw<[string, number, string, number]>(
      'SELECT ip, time, event, weight FROM strikes WHERE jail = ? AND time >= ? ORDER BY time, id',
      [jail, sinceMs],
      (row) => fn(row[0], row[1], row[2], row[3]),
    );
  }

  /** Delete strikes of an ip (or inside a CIDR); returns how many. */
  clearStrikes(ipOrCidr: string, jail?: string): number {
    const f = this.strikeFilter(ipOrCidr, jail);
    return this.sql(`DELETE FROM strikes ${whereClause(f.where)}`).run(f.params).changes;
  }

  /** Insert new active bans (an existing active ban of the same ip+jail is replaced: its until/reason updated). */
  recordBans(bans: Ban[]): void {
    if (bans.length) this.upsertBans(bans);
  }

  /** Active bans (until > now, not lifted), soonest to end first. */
  activeBans(now: number, query: ActiveBanQuery = {}): BanRow[] {
    const f = banFilter(query);
    f.where.unshift(CURRENT, 'until > @now');
    const sql = `SELECT ${BAN_COLUMNS} FROM bans ${whereClause(f.where)} ORDER BY until, id`;
    return this.banRows(sql, { ...f.params, now });
  }

  /** Jails holding current bans: at start and reload, one no longer enabled gives them up. */
  jailsWithCurrentBans(): string[] {
    return this.sql(`SELECT DISTINCT jail FROM bans WHERE ${CURRENT}`).pluck().all() as string[];
  }

  /** How many active bans there are, in one jail or all, without reading them. */
  countActiveBans(now: number, jail?: string): number {
    const f = addJail({ where: [CURRENT, 'until > @now'], params: { now } }, jail);
    return this.sql(`SELECT COUNT(*) FROM bans ${whereClause(f.where)}`).pluck().get(f.params) as number;
  }

  /**
   * One jail's active bans in pages of `limit`, by id after `afterId`: restoring 100,000 bans a
   * page at a time keeps the daemon's peak memory (and so its resident size for good) small.
   */
  activeBansPage(now: number, jail: string, afterId: number, limit: number): BanRow[] {
    const sql = `SELECT ${BAN_COLUMNS} FROM bans WHERE ${CURRENT} AND until > @now AND jail = @jail AND id > @afterId ORDER BY id LIMIT @limit`;
    return this.banRows(sql, { now, jail, afterId, limit });
  }

  /**
   * Mark bans lifted (manual unban); returns the bans lifted. `ipOrCidr` '*' = all; otherwise the
   * bans equal to it, inside it or containing it, since any of those keeps it blocked.
   */
  liftBans(ipOrCidr: string, at: number, jail?: string): BanRow[] {
    const f = banFilter({ ip: ipOrCidr, jail });
    f.where.unshift(CURRENT);
    const sql = `UPDATE bans SET lifted_at = @at ${whereClause(f.where)} RETURNING ${BAN_COLUMNS}`;
    return this.banRows(sql, { ...f.params, at }).sort((a, b) => a.id - b.id);
  }

  /** Bans whose until <= now and not yet marked expired: mark them expired and return them (so the daemon removes them from the kernel). */
  expireBans(now: number): BanRow[] {
    const sql = `UPDATE bans SET expired = 1 WHERE ${CURRENT} AND until <= @now RETURNING ${BAN_COLUMNS}`;
    return this.banRows(sql, { now }).sort((a, b) => a.id - b.id);
  }

  /** How many bans (any state) this exact ip/prefix has had in `jail` since sinceMs — for ban-time escalation. */
  banCount(ip: string, jail: string, sinceMs: number): number {
    const r = keyRangeOf(ip);
    const sql = 'SELECT COUNT(*) FROM bans WHERE lo = @lo AND hi = @hi AND jail = @jail AND since >= @since';
    return this.sql(sql).pluck().get({ lo: r.lo, hi: r.hi, jail, since: sinceMs }) as number;
  }

  /**
   * Calls `fn` for the jail and target of every ban row (any state, repeats included): fills a
   * compact first-offence filter without holding 100,000 rows or strings at once.
   */
  eachBannedTarget(fn: (jail: string, ip: string) => void): number {
    return this.statements.eachRaw<[string, string]>('SELECT jail, ip FROM bans', [], (row) => fn(row[0], row[1]));
  }

  /** All bans (history included) equal to, inside or containing an ip or CIDR, newest first — for `mailjail why`. */
  banHistory(ipOrCidr: string, limit = NO_LIMIT): BanRow[] {
    const f: Filter = { where: [], params: { limit } };
    overlapFilter(ipOrCidr, f);
    const sql = `SELECT ${BAN_COLUMNS} FROM bans ${whereClause(f.where)} ORDER BY since DESC, id DESC LIMIT @limit`;
    return this.banRows(sql, f.params);
  }

  getCursor<T = unknown>(key: string): T | undefined {
    return readCursor<T>(this.sql, key);
  }

  /** Saves a cursor as JSON; `undefined` deletes it. */
  setCursor(key: string, value: unknown): void {
    writeCursor(this.sql, key, value);
  }

  getMeta(key: string): string | undefined {
    return readMeta(this.sql, key);
  }

  setMeta(key: string, value: string): void {
    writeMeta(this.sql, key, value);
  }

  /**
   * Deletes old strikes and ban history (pruneRows), at most `maxRows` of each kind: the daemon
   * calls again while a count comes back equal to the cap, so a long DELETE never stalls it.
   */
  prune(strikesBefore: number, historyBefore: number, maxRows = NO_LIMIT): PruneCounts {
    return this.transaction(() => pruneRows(this.sql, strikesBefore, historyBefore, maxRows));
  }

  /** Strikes older than `before` lose their log line (logLineRetention); returns how many. */
  forgetLogLines(before: number): number {
    return this.sql('UPDATE strikes SET text = NULL WHERE time < ? AND text IS NOT NULL').run(before).changes;
  }

  /** Size and counts for `status`: the active bans of every jail in ONE grouped scan, not a COUNT per jail per refresh. */
  stats(now: number): { strikes: number; activeBans: number; activeBansByJail: Map<string, number>; bytes: number } {
    const bytes = (this.db.pragma('page_count', { simple: true }) as number) * (this.db.pragma('page_size', { simple: true }) as number);
    const byJail = new Map(this.sql(`SELECT jail, COUNT(*) FROM bans WHERE ${CURRENT} AND until > ? GROUP BY jail`).raw(true).all(now) as Array<[string, number]>);
    const activeBans = [...byJail.values()].reduce((sum, n) => sum + n, 0);
    return { strikes: this.sql('SELECT COUNT(*) FROM strikes').pluck().get() as number, activeBans, activeBansByJail: byJail, bytes };
  }

  close(): void {
    if (!this.db.open) return;
    // Lets SQLite refresh its planner statistics where they have drifted; cheap when nothing changed.
    if (!this.isReadonly) this.db.pragma('optimize');
    this.db.close();
  }

  private strikeFilter(ipOrCidr: string, jail: string | undefined): Filter {
    const r = keyRangeOf(ipOrCidr);
    return addJail({ where: ['ip_key BETWEEN @lo AND @hi'], params: { lo: r.lo, hi: r.hi } }, jail);
  }

  private banRows(sql: string, params: Record<string, unknown>): BanRow[] {
    return this.sql(sql).raw(true).all(params).map(toBanRow);
  }
}
