/** The two key-value tables: file cursors (JSON values) and meta (text: the user-hash key, first starts). */
import type Database from 'better-sqlite3';

type Sql = (text: string) => Database.Statement;

function upsertSql(table: 'cursors' | 'meta'): string {
  return `INSERT INTO ${table} (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
}

export function readCursor<T>(sql: Sql, key: string): T | undefined {
  const value = sql('SELECT value FROM cursors WHERE key = ?').pluck().get(key) as string | undefined;
  return value === undefined ? undefined : (JSON.parse(value) as T);
}

/** Saves a cursor as JSON; `undefined` deletes it. */
export function writeCursor(sql: Sql, key: string, value: unknown): void {
  if (value === undefined) sql('DELETE FROM cursors WHERE key = ?').run(key);
  else sql(upsertSql('cursors')).run(key, JSON.stringify(value));
}

export function readMeta(sql: Sql, key: string): string | undefined {
  return sql('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined;
}

export function writeMeta(sql: Sql, key: string, value: string): void {
  sql(upsertSql('meta')).run(key, value);
}
