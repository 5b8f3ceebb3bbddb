/**
 * The control socket server. Owner root, mode 0600 (0660 with the configured admin group).
 * A malformed, oversized or unknown request gets an error reply and never disturbs the daemon;
 * a second daemon finds the socket alive and refuses to start instead of stealing it.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { MailjailError, isMailjailError } from '../core/errors';
import { MAX_REQUEST_BYTES, parseRequest, type Reply, type Request } from './protocol';

export type Handler = (request: Request) => Promise<unknown>;

export interface ControlServer {
  close(): Promise<void>;
}

export async function startControlServer(path: string, handle: Handler, options: { group?: number } = {}): Promise<ControlServer> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  if (existsSync(path)) {
    if (await isAlive(path)) throw new MailjailError('SOCKET', `another mailjail daemon is already serving ${path}; stop it first (systemctl stop mailjail)`);
    unlinkSync(path); // stale socket of a daemon that died
  }
  const server = createServer((socket) => serve(socket, handle));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      // a missing privilege is the caller's to report (the daemon says it needs root)
      if (e.code === 'EACCES' || e.code === 'EPERM') reject(e);
      else reject(new MailjailError('SOCKET', `cannot listen on ${path}: ${e.message}`));
    });
    // umask-proof: listen, then set the mode before anyone could have connected meaningfully
    server.listen(path, () => resolve());
  });
  chmodSync(path, options.group === undefined ? 0o600 : 0o660);
  if (options.group !== undefined) chownSync(path, 0, options.group);
  return { close: () => closeServer(server, path) };
}

function serve(socket: Socket, handle: Handler): void {
  let buffered = '';
  let queue = Promise.resolve();
  socket.setEncoding('utf8');
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    if (buffered.length > MAX_REQUEST_BYTES && !buffered.includes('\n')) {
      reply(socket, { ok: false, error: { code: 'PROTOCOL', message: `request longer than ${MAX_REQUEST_BYTES} bytes` } });
      socket.end();
      buffered = '';
      return;
    }
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.trim() === '') continue;
      queue = queue.then(() => answer(socket, line, handle));
    }
  });
}

async function answer(socket: Socket, line: string, handle: Handler): Promise<void> {
  const { request, error } = parseRequest(line);
  if (error) return reply(socket, error);
  try {
    reply(socket, { ok: true, result: await handle(request!) });
  } catch (e) {
    const code = isMailjailError(e) ? e.code : 'INTERNAL';
    const message = isMailjailError(e) && e.problems.length > 0 ? e.problems.join('\n') : (e as Error).message;
    reply(socket, { ok: false, error: { code, message } });
  }
}

function reply(socket: Socket, r: Reply): void {
  if (!socket.destroyed) socket.write(`${JSON.stringify(r)}\n`);
}

function isAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function closeServer(server: Server, path: string): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  });
}
