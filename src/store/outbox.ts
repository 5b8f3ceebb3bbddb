/**
 * The fleet's outbox: event bodies (JSON) this node decided and must publish, in order. Rows are
 * added inside the transaction that stores the strikes and bans they describe and deleted only
 * once Redis has them, so neither a Redis outage nor a kill -9 loses or reorders one.
 */
import type Database from 'better-sqlite3';

export interface OutboxRow {
  seq: number;
  body: string;
}

export class Outbox {
  constructor(private readonly sql: (text: string) => Database.Statement) {}

  add(body: string): void {
    this.sql('INSERT INTO fleet_outbox (body) VALUES (?)').run(body);
  }

  /** The oldest `limit` rows, in sequence order. */
  oldest(limit: number): OutboxRow[] {
    return this.sql('SELECT seq, body FROM fleet_outbox ORDER BY seq LIMIT ?').all(limit) as OutboxRow[];
  }

  /** Drops every row up to and including `seq` (published). */
  deleteThrough(seq: number): void {
    this.sql('DELETE FROM fleet_outbox WHERE seq <= ?').run(seq);
  }

  count(): number {
    return this.sql('SELECT COUNT(*) FROM fleet_outbox').pluck().get() as number;
  }
}
