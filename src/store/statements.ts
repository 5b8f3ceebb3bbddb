/** Prepared statements, each prepared once per SQL text for the store's life, and raw row streaming. */
import type Database from 'better-sqlite3';

export class Statements {
  private readonly cache = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  /** The few shapes each query can take are cached; a flood runs the same few thousands of times. */
  get(text: string): Database.Statement {
    let stmt = this.cache.get(text);
    if (!stmt) {
      stmt = this.db.prepare(text);
      this.cache.set(text, stmt);
    }
    return stmt;
  }

  /** Streams rows as arrays (no object per row); returns how many there were. */
  eachRaw<Row extends unknown[]>(text: string, params: unknown[], fn: (row: Row) => void): number {
    const stmt = this.get(text).raw(true);
    let n = 0;
    for (const row of stmt.iterate(...params) as IterableIterator<Row>) {
      fn(row);
      n++;
    }
    stmt.raw(false);
    return n;
  }
}
