/** How bans map to and from rows of the `bans` table, and the WHERE clauses that select them. */
import type Database from 'better-sqlite3';
import type { Ban } from '../core/types';
import { addJail, type Filter } from './filter';
import { containerKeys, keyRangeOf } from './ip-key';

/** A stored ban. A row stays as history after it expires or is lifted, until pruned. */
export interface BanRow extends Ban {
  id: number;
  /** When an admin unbanned it (epoch ms); absent when it was never lifted. */
  liftedAt?: number;
  /** Its time ran out and the daemon was told to remove it (expireBans). */
  expired: boolean;
}

export interface ActiveBanQuery {
  jail?: string;
  /** ip or CIDR: bans equal to it, inside it, or containing it. */
  ip?: string;
}

/**
 * Writes bans (inside the caller's transaction): an active ban of the same target in the same jail
 * is extended, otherwise a row is added. "Active" is judged at the new ban's own start: an older
 * ban that ran out before it is history. Positional parameters: cheaper to bind than named ones,
 * and a flood writes one row per ban.
 */
export function writeBans(sql: (text: string) => Database.Statement, bans: Ban[]): void {
  const extend = sql(`UPDATE bans SET until = ?, reason = ? WHERE lo = ? AND hi = ? AND jail = ? AND ${CURRENT} AND until > ?`);
  const insert = sql(`INSERT INTO bans (ip, lo, hi, jail, since, until, reason, count, node) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  for (const b of bans) {
    const r = keyRangeOf(b.ip);
    if (extend.run(b.until, b.reason, r.lo, r.hi, b.jail, b.since).changes === 0) {
      insert.run(r.text, r.lo, r.hi, b.jail, b.since, b.until, b.reason, b.count, b.node ?? null);
    }
  }
}

export const BAN_COLUMNS = 'id, ip, jail, since, until, reason, count, lifted_at, expired, node';

/** A ban still in the kernel: neither expired nor lifted. Matches the partial index bans_current. */
export const CURRENT = 'expired = 0 AND lifted_at IS NULL';

/** A row of BAN_COLUMNS in raw (array) mode: restoring 100,000 bans builds them a third faster than named rows. */
type RawBan = [number, string, string, number, number, string, number, number | null, number, string | null];

export function toBanRow(raw: unknown): BanRow {
  const [id, ip, jail, since, until, reason, count, liftedAt, expired, node] = raw as RawBan;
  const row: BanRow = { id, ip, jail, since, until, reason, count, expired: expired !== 0 };
  if (liftedAt !== null) row.liftedAt = liftedAt;
  if (node !== null) row.node = node;
  return row;
}

/**
 * Bans overlapping `ipOrCidr`: equal to it, inside it, or containing it (two CIDRs overlap only
 * that way). "Inside" is a range on `lo`; "containing" looks up the few wider networks by key.
 */
export function overlapFilter(ipOrCidr: string, f: Filter): void {
  const r = keyRangeOf(ipOrCidr);
  f.where.push('(lo BETWEEN @qlo AND @qhi OR (lo IN (SELECT value FROM json_each(@containers)) AND hi >= @qhi))');
  f.params.qlo = r.lo;
  f.params.qhi = r.hi;
  f.params.containers = JSON.stringify(containerKeys(r));
}

export function banFilter(query: ActiveBanQuery): Filter {
  const f = addJail({ where: [], params: {} }, query.jail);
  if (query.ip !== undefined && query.ip !== '*') overlapFilter(query.ip, f);
  return f;
}
