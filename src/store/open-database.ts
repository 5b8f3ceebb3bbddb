/**
 * Opening the SQLite file the way the store needs it: a busy timeout for the CLI reading beside
 * the daemon, WAL and its pragmas for the writer, and the schema migrated (writer) or checked
 * (reader). Any failure closes the handle and becomes a STORE error.
 */
import Database from 'better-sqlite3';
import { MailjailError } from '../core/errors';
import { damagedDatabaseError, isDamagedDatabase } from './damaged';
import { MIGRATIONS, migrate, schemaVersion } from './migrations';

/** How long a statement waits for another connection's lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

/** Opens (and, unless read-only, creates and migrates) the database; the parent directory must exist. */
export function openDatabase(path: string, readonly: boolean): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly, timeout: BUSY_TIMEOUT_MS });
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (readonly) {
      const version = schemaVersion(db);
      if (version !== MIGRATIONS.length) {
        throw new MailjailError(
          'STORE',
          `database ${path} has schema version ${version}, this mailjail needs ${MIGRATIONS.length}` +
            (version < MIGRATIONS.length ? ' (the daemon creates and migrates it at start)' : ''),
        );
      }
    } else {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`cannot use WAL journal (journal_mode is ${String(mode)})`);
      // With WAL, NORMAL loses at most the last transactions on power loss, never consistency.
      db.pragma('synchronous = NORMAL');
      // SQLite's own default (2 MiB); better-sqlite3 builds with 16 MiB, which only grows the
      // daemon's resident size (measured: 5-14 MiB more with 100,000 bans, no faster flood).
      db.pragma('cache_size = -2000');
      migrate(db, path);
    }
    return db;
  } catch (e) {
    db?.close();
    if (e instanceof MailjailError) throw e;
    if (isDamagedDatabase(e)) throw damagedDatabaseError(path, e);
    throw new MailjailError('STORE', `cannot open database ${path}: ${(e as Error).message}`);
  }
}
