/**
 * The CLI's side of the socket: one request, one reply. Every failure becomes a MailjailError
 * with a one-line message (daemon not running, permission denied, timeout), never a stack trace.
 */
import { createConnection } from 'node:net';
import { EXIT_STATUS, MailjailError } from '../core/errors';
import type { Reply, RequestInput } from './protocol';

export function request<T = unknown>(path: string, req: RequestInput, timeoutMs = 120_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let buffered = '';
    const fail = (e: MailjailError) => {
      socket.destroy();
      reject(e);
    };
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => fail(new MailjailError('SOCKET', `no answer from the daemon on ${path} within ${timeoutMs / 1000}s`)));
    socket.on('connect', () => socket.write(`${JSON.stringify(req)}\n`));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') fail(new MailjailError('SOCKET', `the mailjail daemon is not running (no socket at ${path})`));
      else if (e.code === 'EACCES' || e.code === 'EPERM') fail(new MailjailError('PERMISSION', `permission denied on ${path}: run as root or as a member of the admin group`));
      else fail(new MailjailError('SOCKET', `cannot talk to the daemon on ${path}: ${e.message}`));
    });
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const nl = buffered.indexOf('\n');
      if (nl < 0) return;
      socket.end();
      let r: Reply<T>;
      try {
        r = JSON.parse(buffered.slice(0, nl)) as Reply<T>;
      } catch {
        return reject(new MailjailError('PROTOCOL', 'the daemon sent a reply that is not JSON'));
      }
      if (r.ok) resolve(r.result);
      else reject(new MailjailError((r.error.code in EXIT_STATUS ? r.error.code : 'PROTOCOL') as never, r.error.message));
    });
  });
}
