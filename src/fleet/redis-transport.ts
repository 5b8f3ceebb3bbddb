/**
 * The fleet on Redis (or Valkey), through ioredis. Keys, under `keyPrefix`:
 *   events   a Stream (XADD MAXLEN ~): every node reads it with XREAD BLOCK from its own position
 *   senders  a hash: the last sequence number published per sender (idempotent publishing)
 *   bans     a hash `jail ip` -> signed active ban, indexed by end time in `bans:until` (sorted set)
 * Two connections: XREAD BLOCK holds its connection for up to `blockMs`, so publishing has its own.
 * No offline queue: while Redis is away a command fails at once and the node's own outbox (SQLite)
 * keeps what must still go out; nothing waits in memory.
 */
import { readFileSync } from 'node:fs';
import Redis, { type RedisOptions } from 'ioredis';
import { MailjailError } from '../core/errors';
import type { FleetConfig } from '../config/load-config';
import type { Signed } from './fleet-event';
import { PUBLISH, PUT_ACTIVE, REMOVE_ACTIVE } from './redis-scripts';
import type { ActiveEntry, FleetTransport, LoggedEvent, TransportStatus } from './transport';

type ScriptArg = string | number;
interface Scripted {
  mjPublish(...args: ScriptArg[]): Promise<number>;
  mjPutActive(...args: ScriptArg[]): Promise<number>;
  mjRemoveActive(...args: ScriptArg[]): Promise<number>;
}

const COMMAND_TIMEOUT_MS = 5_000;
const PAGE = 1000;

/** ioredis options from the `fleet` keys: a URL, or Sentinels; TLS with its own CA when `caFile` says so. */
export function redisOptionsOf({ redis, caFile }: Pick<FleetConfig, 'redis' | 'caFile'>): { url?: string; options: RedisOptions } {
  const common: RedisOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    // Reconnect quickly, then every second: a node should be back in the fleet as soon as Redis is.
    retryStrategy: (times) => Math.min(times * 100, 1000),
    commandTimeout: COMMAND_TIMEOUT_MS,
  };
  const ca = caFile === undefined ? undefined : readCa(caFile);
  if (typeof redis === 'string') return { url: redis, options: ca && redis.startsWith('rediss:') ? { ...common, tls: { ca } } : common };
  const tls = redis.tls ? { tls: ca ? { ca } : {}, enableTLSForSentinelMode: true } : {};
  return {
    options: {
      ...common,
      ...tls,
      sentinels: redis.sentinels.map((s) => ({ host: s.slice(0, s.lastIndexOf(':')), port: Number(s.slice(s.lastIndexOf(':') + 1)) })),
      name: redis.name,
      username: redis.username,
      password: redis.password,
      sentinelPassword: redis.sentinelPassword,
      db: redis.db,
    },
  };
}

function readCa(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new MailjailError('CONFIG', `fleet.caFile: cannot read ${file}: ${(e as Error).message}`);
  }
}

export class RedisTransport implements FleetTransport {
  private readonly main: Redis & Scripted;
  private readonly reader: Redis;
  private readonly keys: { events: string; senders: string; bans: string; until: string };
  private connected = false;
  private lastError?: string;
  private readonly listeners: Array<(connected: boolean) => void> = [];

  constructor(config: Pick<FleetConfig, 'redis' | 'caFile' | 'keyPrefix' | 'streamLength'>, private readonly onError: (err: string) => void = () => {}) {
    const { url, options } = redisOptionsOf(config);
    this.main = (url ? new Redis(url, options) : new Redis(options)) as Redis & Scripted;
    // The blocking reader may wait blockMs on top of the usual time.
    this.reader = this.main.duplicate({ commandTimeout: COMMAND_TIMEOUT_MS + 30_000 });
    const p = config.keyPrefix;
    this.keys = { events: `${p}events`, senders: `${p}senders`, bans: `${p}bans`, until: `${p}bans:until` };
    this.main.defineCommand('mjPublish', { numberOfKeys: 2, lua: PUBLISH });
    this.main.defineCommand('mjPutActive', { numberOfKeys: 2, lua: PUT_ACTIVE });
    this.main.defineCommand('mjRemoveActive', { numberOfKeys: 2, lua: REMOVE_ACTIVE });
    this.streamLength = config.streamLength;
    for (const conn of [this.main, this.reader]) {
      conn.on('error', (e: Error) => {
        if (e.message !== this.lastError) this.onError(e.message);
        this.lastError = e.message;
      });
    }
    this.main.on('ready', () => this.setConnected(true));
    this.main.on('close', () => this.setConnected(false));
    // lazyConnect + connect(): a first connection that fails keeps retrying instead of throwing.
    for (const conn of [this.main, this.reader]) conn.connect().catch(() => {});
  }

  private readonly streamLength: number;

  onConnection(fn: (connected: boolean) => void): void {
    this.listeners.push(fn);
  }

  status(): TransportStatus {
    return { connected: this.connected, lastError: this.lastError };
  }

  async publish(sender: string, events: Array<Signed & { seq: number }>): Promise<void> {
    const args: ScriptArg[] = [this.keys.events, this.keys.senders, this.streamLength, sender];
    for (const e of events) args.push(e.seq, e.payload, e.sig);
    await this.main.mjPublish(...args);
  }

  async read(after: string, blockMs: number, count: number): Promise<LoggedEvent[]> {
    const reply = (await this.reader.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', this.keys.events, after)) as
      | Array<[string, Array<[string, string[]]>]>
      | null;
    const out: LoggedEvent[] = [];
    for (const [id, fields] of reply?.[0]?.[1] ?? []) out.push({ id, payload: fieldOf(fields, 'p'), sig: fieldOf(fields, 's') });
    return out;
  }

  async bounds(): Promise<{ first: string | null; last: string | null }> {
    const [first, last] = await Promise.all([this.main.xrange(this.keys.events, '-', '+', 'COUNT', 1), this.main.xrevrange(this.keys.events, '+', '-', 'COUNT', 1)]);
    return { first: first[0]?.[0] ?? null, last: last[0]?.[0] ?? null };
  }

  async putActive(entries: ActiveEntry[], now: number): Promise<void> {
    for (let i = 0; i < entries.length || i === 0; i += PAGE) {
      const args: ScriptArg[] = [this.keys.bans, this.keys.until, now];
      for (const e of entries.slice(i, i + PAGE)) args.push(e.key, Number.isFinite(e.until) ? e.until : '+inf', e.payload, e.sig);
      await this.main.mjPutActive(...args);
    }
  }

  async removeActive(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += PAGE) await this.main.mjRemoveActive(this.keys.bans, this.keys.until, ...keys.slice(i, i + PAGE));
  }

  async eachActive(fn: (page: Signed[]) => void): Promise<void> {
    let cursor = '0';
    do {
      const [next, flat] = await this.main.hscan(this.keys.bans, cursor, 'COUNT', PAGE);
      const page: Signed[] = [];
      for (let i = 1; i < flat.length; i += 2) {
        const nl = flat[i].lastIndexOf('\n');
        page.push({ payload: flat[i].slice(0, nl), sig: flat[i].slice(nl + 1) });
      }
      fn(page);
      cursor = next;
    } while (cursor !== '0');
  }

  /** Closes both connections and waits until they are gone (a stopping daemon leaves no socket behind). */
  async close(): Promise<void> {
    await Promise.all(
      [this.reader, this.main].map((conn) => {
        if (conn.status === 'end') return undefined;
        const ended = new Promise<void>((resolve) => {
          conn.once('end', resolve);
          setTimeout(resolve, 1000).unref();
        });
        conn.disconnect();
        return ended;
      }),
    );
  }

  private setConnected(connected: boolean): void {
    if (connected === this.connected) return;
    this.connected = connected;
    if (connected) this.lastError = undefined;
    for (const fn of this.listeners) fn(connected);
  }
}

function fieldOf(fields: string[], name: string): string {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return '';
}
