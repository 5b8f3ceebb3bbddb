/**
 * The database: strikes, bans (with their history), file cursors and a little meta, in one
 * SQLite file. Synchronous by design (better-sqlite3): a batch of writes is one transaction, and
 * nothing awaits inside one. The daemon is the only writer; the CLI may open the same file
 * read-only meanwhile, which WAL allows without blocking either side.
 */
import type Database from 'better-sqlite3';
import type { Ban, Strike } from '../core/types';
import { BAN_COLUMNS, CURRENT, banFilter, overlapFilter, toBanRow } from './ban-rows';
import type { ActiveBanQuery, BanRow } from './ban-rows';
import { addJail, whereClause, type Filter } from './filter';
import { keyRangeOf } from './ip-key';
import { openDatabase } from './open-database';
import { Outbox } from './outbox';
import { NO_LIMIT, pruneRows, type PruneCounts } from './prune';
import { INSERT_STRIKE, STRIKE_COLUMNS, strikeParams, toStrike } from './strike-rows';

export type { ActiveBanQuery, BanRow } from './ban-rows';

export interface StoreOptions {
  /** Open an existing, migrated database for reading only (the CLI while the daemon runs). */
  readonly?: boolean;
}

export class Store {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly insertStrikes: (strikes: Strike[]) => void;
  private readonly upsertBans: (bans: Ban[]) => void;
  /** What this node must still publish to its fleet (empty outside a fleet). */
  readonly outbox: Outbox;

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    readonly isReadonly: boolean,
  ) {
    this.outbox = new Outbox((text) => this.sql(text));
    this.insertStrikes = db.transaction((strikes: Strike[]) => {
      const insert = this.sql(INSERT_STRIKE);
      for (const s of strikes) insert.run(strikeParams(s));
    });
    this.upsertBans = db.transaction((bans: Ban[]) => {
      // "Active" is judged at the new ban's own start: an older ban that ran out before it is history.
      // Positional parameters: cheaper to bind than named ones, and a flood writes one row per ban.
      const extend = this.sql(`UPDATE bans SET until = ?, reason = ?
        WHERE lo = ? AND hi = ? AND jail = ? AND ${CURRENT} AND until > ?`);
      const insert = this.sql(`INSERT INTO bans (ip, lo, hi, jail, since, until, reason, count, node) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      for (const b of bans) {
        const r = keyRangeOf(b.ip);
        if (extend.run(b.until, b.reason, r.lo, r.hi, b.jail, b.since).changes === 0) {
          insert.run(r.text, r.lo, r.hi, b.jail, b.since, b.until, b.reason, b.count, b.node ?? null);
        }
      }
    });
  }

  /** Opens (and, unless read-only, creates and migrates) the database; the parent directory must exist. */
  static open(path: string, options: StoreOptions = {}): Store {
    const readonly = options.readonly ?? false;
    return new Store(openDatabase(path, readonly), path, readonly);
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

  /** Strikes with time >= sinceMs, oldest first — the daemon rebuilds its in-memory windows from these at start. */
  strikesSince(sinceMs: number, jail?: string): Strike[] {
    const f = addJail({ where: ['time >= @since'], params: { since: sinceMs } }, jail);
    const sql = `SELECT ${STRIKE_COLUMNS} FROM strikes ${whereClause(f.where)} ORDER BY time, id`;
    return this.sql(sql).all(f.params).map(toStrike);
  }

  /**
   * The few fields the decision engine rebuilds its windows from, oldest first, streamed: a week
   * of strikes can be a million rows, and whole Strike objects (log line included) would cost
   * seconds of garbage collection at start.
   */
  eachStrikeFact(sinceMs: number, jail: string, fn: (ip: string, time: number, event: string, weight: number) => void): number {
    return this.eachRawRow<[string, number, string, number]>(
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

  /** How many active bans there are, in one jail or all (status), without reading them. */
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
    return this.banRows(sql, { ...f.params, at }).sort(byId);
  }

  /** Bans whose until <= now and not yet marked expired: mark them expired and return them (so the daemon removes them from the kernel). */
  expireBans(now: number): BanRow[] {
    const sql = `UPDATE bans SET expired = 1 WHERE ${CURRENT} AND until <= @now RETURNING ${BAN_COLUMNS}`;
    return this.banRows(sql, { now }).sort(byId);
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
    return this.eachRawRow<[string, string]>('SELECT jail, ip FROM bans', [], (row) => fn(row[0], row[1]));
  }

  /** All bans (history included) equal to, inside or containing an ip or CIDR, newest first — for `mailjail why`. */
  banHistory(ipOrCidr: string, limit = NO_LIMIT): BanRow[] {
    const f: Filter = { where: [], params: { limit } };
    overlapFilter(ipOrCidr, f);
    const sql = `SELECT ${BAN_COLUMNS} FROM bans ${whereClause(f.where)} ORDER BY since DESC, id DESC LIMIT @limit`;
    return this.banRows(sql, f.params);
  }

  getCursor<T = unknown>(key: string): T | undefined {
    const value = this.sql('SELECT value FROM cursors WHERE key = ?').pluck().get(key) as string | undefined;
    return value === undefined ? undefined : (JSON.parse(value) as T);
  }

  /** Saves a cursor as JSON; `undefined` deletes it. */
  setCursor(key: string, value: unknown): void {
    if (value === undefined) this.sql('DELETE FROM cursors WHERE key = ?').run(key);
    else this.sql(upsertSql('cursors')).run(key, JSON.stringify(value));
  }

  getMeta(key: string): string | undefined {
    return this.sql('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined;
  }

  setMeta(key: string, value: string): void {
    this.sql(upsertSql('meta')).run(key, value);
  }

  /**
   * Deletes old strikes and ban history (see pruneRows); returns counts. `maxRows` caps each kind
   * deleted per call: the first prune after a long downtime can have hundreds of thousands of rows
   * to drop, and the daemon's thread should not stop for seconds; it calls again while a count
   * comes back equal to the cap.
   */
  prune(strikesBefore: number, historyBefore: number, maxRows = NO_LIMIT): PruneCounts {
    return this.transaction(() => pruneRows((text) => this.sql(text), strikesBefore, historyBefore, maxRows));
  }

  stats(now: number): { strikes: number; activeBans: number; bytes: number } {
    const strikes = this.sql('SELECT COUNT(*) FROM strikes').pluck().get() as number;
    const activeBans = this.countActiveBans(now);
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    return { strikes, activeBans, bytes: pages * pageSize };
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

  /** Streams rows as arrays (no object per row); returns how many there were. */
  private eachRawRow<Row extends unknown[]>(sql: string, params: unknown[], fn: (row: Row) => void): number {
    const stmt = this.sql(sql).raw(true);
    let n = 0;
    for (const row of stmt.iterate(...params) as IterableIterator<Row>) {
      fn(row);
      n++;
    }
    stmt.raw(false);
    return n;
  }

  private banRows(sql: string, params: Record<string, unknown>): BanRow[] {
    return this.sql(sql).raw(true).all(params).map(toBanRow);
  }

  /** Prepared once per SQL text: the few shapes each query can take are cached for the store's life. */
  private sql(text: string): Database.Statement {
    let stmt = this.statements.get(text);
    if (!stmt) {
      stmt = this.db.prepare(text);
      this.statements.set(text, stmt);
    }
    return stmt;
  }
}

function upsertSql(table: 'cursors' | 'meta'): string {
  return `INSERT INTO ${table} (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
}

function byId(a: BanRow, b: BanRow): number {
  return a.id - b.id;
}
