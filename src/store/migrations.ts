/**
 * Schema migrations. The database's `PRAGMA user_version` is the number of migrations applied;
 * each migration runs in its own transaction together with the version bump, so a failure leaves
 * the database at the previous version. Never edit a migration that has shipped: append one.
 */
import type Database from 'better-sqlite3';
import { MailjailError } from '../core/errors';

export interface Migration {
  /** What it does, for error messages. */
  name: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    name: 'strikes, bans, cursors, meta',
    up(db) {
      // ip_key / lo / hi are ip-key.ts keys: "inside a CIDR" is a range on them.
      // until may be REAL Infinity for a permanent ban; SQLite keeps it as REAL in an INTEGER column.
      db.exec(`
        CREATE TABLE strikes (
          id INTEGER PRIMARY KEY,
          ip TEXT NOT NULL,
          ip_key TEXT NOT NULL,
          jail TEXT NOT NULL,
          time INTEGER NOT NULL,
          event TEXT NOT NULL,
          weight REAL NOT NULL,
          rule TEXT NOT NULL,
          user_hash TEXT,
          source TEXT,
          line INTEGER,
          text TEXT
        );
        CREATE INDEX strikes_ip ON strikes (ip_key, time);
        CREATE INDEX strikes_jail_time ON strikes (jail, time);
        CREATE INDEX strikes_time ON strikes (time);

        CREATE TABLE bans (
          id INTEGER PRIMARY KEY,
          ip TEXT NOT NULL,
          lo TEXT NOT NULL,
          hi TEXT NOT NULL,
          jail TEXT NOT NULL,
          since INTEGER NOT NULL,
          until INTEGER NOT NULL,
          reason TEXT NOT NULL,
          count INTEGER NOT NULL,
          lifted_at INTEGER,
          expired INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX bans_ip ON bans (lo, jail);
        CREATE INDEX bans_until ON bans (until);
        -- Only bans still in the kernel: expiry and restore read this, never the whole history.
        CREATE INDEX bans_current ON bans (until) WHERE expired = 0 AND lifted_at IS NULL;

        CREATE TABLE cursors (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      `);
    },
  },
  {
    name: 'fleet: the node of each ban, the outbox of events to publish',
    up(db) {
      // The outbox is written in the same transaction as the strikes and bans it carries, so a
      // node that was cut off from Redis (or killed) publishes exactly what it decided meanwhile.
      // AUTOINCREMENT: a sequence number is never reused, so peers can drop what they saw already.
      db.exec(`
        ALTER TABLE bans ADD COLUMN node TEXT;
        CREATE TABLE fleet_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);
      `);
    },
  },
];

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Refuses a database written by a newer mailjail: its schema may mean things this one cannot know. */
export function assertNotFromFuture(db: Database.Database, path: string, migrations = MIGRATIONS): number {
  const version = schemaVersion(db);
  if (version > migrations.length) {
    throw new MailjailError(
      'STORE',
      `database ${path} has schema version ${version}, newer than this mailjail knows (${migrations.length})`,
    );
  }
  return version;
}

/** Applies the migrations the database lacks; returns the resulting version. */
export function migrate(db: Database.Database, path: string, migrations = MIGRATIONS): number {
  assertNotFromFuture(db, path, migrations);
  for (;;) {
    // The version is read again under the write lock: another process may have migrated meanwhile.
    const step = db.transaction((): number => {
      const version = schemaVersion(db);
      if (version >= migrations.length) return version;
      const m = migrations[version];
      try {
        m.up(db);
      } catch (e) {
        const why = (e as Error).message;
        throw new MailjailError('STORE', `database ${path}: migration ${version + 1} (${m.name}) failed: ${why}`);
      }
      db.pragma(`user_version = ${version + 1}`);
      return -1;
    });
    const done = step.immediate();
    if (done >= 0) return done;
  }
}
