/**
 * A throwaway real `redis-server` (Debian's package) on a free loopback port, in a temp dir, with
 * persistence off: a restart comes back empty, as a Redis without RDB/AOF does in production.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export class RedisServer {
  readonly dir = mkdtempSync(join(tmpdir(), 'mj-redis-'));
  private child: ChildProcess | null = null;
  private exited: Promise<void> | null = null;

  /** `password`: the server's requirepass (the helper's own client then authenticates with it). */
  constructor(readonly port: number, private readonly extraArgs: string[] = [], private readonly password?: string) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  async start(): Promise<void> {
    const auth = this.password === undefined ? [] : ['--requirepass', this.password];
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', ...auth, ...this.extraArgs];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    this.exited = new Promise((r) => child.once('exit', () => r()));
    const deadline = Date.now() + 10_000;
    for (;;) {
      const client = this.client();
      try {
        await client.ping();
        return;
      } catch (e) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        client.disconnect();
      }
    }
  }

  /** Stops it (SIGKILL: nothing saved either way) and waits for it to be gone. */
  async stop(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
    this.child = null;
  }

  /** A client for the test's own looks and injections. */
  client(): Redis {
    const client = new Redis(this.port, '127.0.0.1', { password: this.password, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: true });
    client.on('error', () => {}); // a refused connection is the caller's answer, not noise
    return client;
  }

  async teardown(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
