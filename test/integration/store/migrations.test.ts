import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MailjailError } from '../../../src/core/errors';
import { MIGRATIONS, migrate, schemaVersion, type Migration } from '../../../src/store/migrations';
import { Store } from '../../../src/store/store';
import { useTempStores } from './temp-store';

const t = useTempStores();

function rawVersion(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return schemaVersion(db);
  } finally {
    db.close();
  }
}

function tables(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  } finally {
    db.close();
  }
}

function openError(path: string, options = {}): MailjailError {
  try {
    Store.open(path, options).close();
  } catch (e) {
    return e as MailjailError;
  }
  throw new Error(`opening ${path} did not fail`);
}

describe('schema migrations', () => {
  it('creates every table in an empty file and records the latest schema version', () => {
    writeFileSync(t.dbPath(), '');
    t.open().close();
    expect(rawVersion(t.dbPath())).toBe(MIGRATIONS.length);
    expect(tables(t.dbPath())).toEqual(['bans', 'cursors', 'fleet_outbox', 'meta', 'sqlite_sequence', 'strikes']);
  });

  it('creates the file when it does not exist yet', () => {
    const store = t.open();
    store.setMeta('hello', 'world');
    expect(store.getMeta('hello')).toBe('world');
    expect(rawVersion(t.dbPath())).toBe(MIGRATIONS.length);
  });

  it('reopens a migrated database without migrating again and keeps its data', () => {
    const first = t.open();
    first.setMeta('k', 'v');
    first.close();
    const second = t.open();
    expect(second.getMeta('k')).toBe('v');
    expect(rawVersion(t.dbPath())).toBe(MIGRATIONS.length);
  });

  it('refuses a database written by a newer schema and leaves it untouched', () => {
    const future = MIGRATIONS.length + 1;
    const db = new Database(t.dbPath());
    db.pragma(`user_version = ${future}`);
    db.close();
    const err = openError(t.dbPath());
    expect(err).toBeInstanceOf(MailjailError);
    expect(err.code).toBe('STORE');
    expect(err.message).toContain(t.dbPath());
    expect(err.message).toContain(`schema version ${future}`);
    expect(rawVersion(t.dbPath())).toBe(future);
    expect(tables(t.dbPath())).toEqual([]);
  });

  it('applies each migration in its own transaction, so a failing one leaves the previous version', () => {
    const steps: Migration[] = [
      { name: 'first', up: (db) => db.exec('CREATE TABLE one (x INTEGER)') },
      {
        name: 'broken',
        up: (db) => {
          db.exec('CREATE TABLE two (x INTEGER)');
          db.exec('INSERT INTO no_such_table VALUES (1)');
        },
      },
    ];
    const db = new Database(join(t.dir(), 'custom.db'));
    try {
      expect(() => migrate(db, 'custom.db', steps)).toThrow(/migration 2 \(broken\) failed/);
      expect(schemaVersion(db)).toBe(1);
      const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
      expect(names).toEqual(['one']);
      expect(migrate(db, 'custom.db', steps.slice(0, 1))).toBe(1);
    } finally {
      db.close();
    }
  });

  it('fails with a STORE error naming the path when the parent directory does not exist', () => {
    const path = join(t.dir(), 'missing', 'mailjail.db');
    const err = openError(path);
    expect(err.code).toBe('STORE');
    expect(err.message).toMatch(new RegExp(`^cannot open database ${path}: `));
  });

  it('fails with a STORE error naming the file and saying to move it aside when the file is not a SQLite database', () => {
    writeFileSync(t.dbPath(), 'this is a log file, not a database\n'.repeat(100));
    const err = openError(t.dbPath());
    expect(err.code).toBe('STORE');
    expect(err.message).toContain(`database ${t.dbPath()} is damaged (file is not a database)`);
    expect(err.message).toContain('move the file aside');
  });

  it('refuses to open read-only a database that does not exist or was never migrated', () => {
    expect(openError(t.dbPath(), { readonly: true }).code).toBe('STORE');
    new Database(t.dbPath()).close();
    const err = openError(t.dbPath(), { readonly: true });
    expect(err.code).toBe('STORE');
    expect(err.message).toContain('schema version 0');
  });

  it('runs in WAL mode with synchronous NORMAL and a busy timeout', () => {
    t.open();
    const db = new Database(t.dbPath(), { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
    // synchronous and busy_timeout are per connection: read them through the store's own handle.
    const store = t.open();
    const conn = (store as unknown as { db: Database.Database }).db;
    expect(conn.pragma('synchronous', { simple: true })).toBe(1);
    expect(conn.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
  });
});
