/**
 * Deleting what the daemon no longer needs: strikes older than every jail's memory, and ban
 * history (expired or lifted bans) older than escalation looks back. Bans still in the kernel stay
 * whatever their age: expireBans must see them first.
 */
import type Database from 'better-sqlite3';

/** A LIMIT that means none: SQLite reads a negative limit as "all rows". */
export const NO_LIMIT = -1;

export interface PruneCounts {
  strikes: number;
  bans: number;
}

/**
 * Deletes strikes older than strikesBefore and non-active bans that ended before historyBefore
 * (an expired ban ends at its until, a lifted one when it was lifted), at most `maxRows` of each
 * kind. The caller runs it in a transaction.
 */
export function pruneRows(
  prepare: (sql: string) => Database.Statement,
  strikesBefore: number,
  historyBefore: number,
  maxRows: number,
): PruneCounts {
  const deleteSome = (table: string, where: string, before: number, limit: number) =>
    prepare(`DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE ${where} LIMIT @limit)`).run({ before, limit }).changes;
  const strikes = deleteSome('strikes', 'time < @before ORDER BY time', strikesBefore, maxRows);
  const expired = deleteSome('bans', 'until < @before AND expired = 1', historyBefore, maxRows);
  const liftedLimit = maxRows === NO_LIMIT ? NO_LIMIT : maxRows - expired;
  const lifted = deleteSome('bans', 'lifted_at < @before', historyBefore, liftedLimit);
  return { strikes, bans: expired + lifted };
}
