/**
 * Start-up failures of the environment, told apart from bugs (issue 17): each becomes its
 * documented exit status with a message that says what to do, instead of "internal error".
 */
import { MailjailError, isMailjailError } from '../core/errors';
import { damagedDatabaseError, isDamagedDatabase } from '../store/damaged';

/** The error to report for `e`, thrown while starting or reloading with the database at `database`. */
export function startFailure(e: unknown, database: string): unknown {
  if (isMailjailError(e)) return e;
  if (isDamagedDatabase(e)) return damagedDatabaseError(database, e);
  const err = e as NodeJS.ErrnoException & { address?: string };
  if (err?.code === 'EACCES' || err?.code === 'EPERM') {
    const path = err.path ?? err.address;
    return new MailjailError('MISSING', `cannot start: permission denied${path ? ` on ${path}` : ''}: the daemon needs root (run it as root, e.g. systemctl start mailjail)`);
  }
  return e;
}
