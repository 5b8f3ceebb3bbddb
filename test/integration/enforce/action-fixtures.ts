/** What the firewall action tests share: a fixed clock, bans made on it, and the 20,000-ban batch. */
import { parseCidr } from '../../../src/core/ip';
import type { Ban } from '../../../src/core/types';
import type { FirewallAction } from '../../../src/enforce/action';
import { documentationHosts } from '../../helpers/fixture-hosts';

export const WEEK_MS = 604_800_000;
export const NOW = Date.UTC(2025, 0, 1);

export function ban(ip: string, durationMs = WEEK_MS, jail = 'postfix'): Ban {
  return { ip, jail, since: NOW, until: NOW + durationMs, reason: 'threshold', count: 0 };
}

/** Bans 20,000 hosts in one call and expects every one listed back; logs both times (a figure, not a check). */
export async function expectBulkBanListed(action: FirewallAction, what: string): Promise<void> {
  const ips = documentationHosts(20_000);
  const started = Date.now();
  await action.ban(ips.map((ip) => ban(ip)), NOW);
  const banMs = Date.now() - started;
  const listStarted = Date.now();
  const listed = await action.listed();
  console.log(`${what}: 20,000 bans in one batch took ${banMs} ms; listing them took ${Date.now() - listStarted} ms`);
  expect(listed?.size).toBe(20_000);
  expect(listed).toEqual(new Set(ips.map((ip) => parseCidr(ip)!.text)));
}
