/**
 * `metrics.listen`: `HOST:PORT`, `[IPV6]:PORT` or a bare `PORT` (loopback). Metrics tell an
 * attacker which jails run and how close to a ban they are, so a non-loopback host is refused
 * unless `metrics.allowRemote: true` says the admin means it.
 */
import { parseIp } from '../core/ip';

export interface ListenAddress {
  host: string;
  port: number;
  isLoopback: boolean;
}

/** The address, or an error message saying what is wrong with `text`. */
export function parseListenAddress(text: string): ListenAddress | string {
  const m = /^(?:(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):)?(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) return `expected HOST:PORT, [IPV6]:PORT or PORT (e.g. 127.0.0.1:9716), got ${JSON.stringify(text)}`;
  const rawHost = m[1] ?? m[2] ?? '127.0.0.1';
  if (rawHost === 'localhost') return { host: '127.0.0.1', port, isLoopback: true };
  const host = parseIp(rawHost);
  if (!host) return `"${rawHost}" is not an IP address (use 127.0.0.1, ::1, or an address of this host)`;
  const isLoopback = host === '::1' || host.startsWith('127.');
  return { host, port, isLoopback };
}
