/**
 * A database file whose pages are garbage (a disk fault, a torn copy): SQLite opens it when the
 * header is intact and fails on the first page it reads. Told apart from a bug, with what to do.
 */
import { MailjailError } from '../core/errors';

/** SQLite's codes for a file that is not (any more) a database. */
export function isDamagedDatabase(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

export function damagedDatabaseError(path: string, e: unknown): MailjailError {
  return new MailjailError(
    'STORE',
    `database ${path} is damaged (${(e as Error).message}). Stop mailjail, move the file aside (mv ${path} ${path}.damaged) ` +
      'and start it again: it makes a new database, takes over the bans the kernel still holds, and counts strikes again from new log lines.',
  );
}
