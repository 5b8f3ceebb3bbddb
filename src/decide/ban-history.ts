/**
 * How many times an address or prefix was banned before: ban-time escalation needs history that
 * outlives the bans. The daemon answers from the store; replay and tests keep it in memory.
 */
import type { Ban } from '../core/types';

export interface BanHistory {
  count(ipOrPrefix: string, jail: string, sinceMs: number): number;
  /** Called for every ban the engine makes (the store-backed history ignores it: bans are stored anyway). */
  record(ban: Ban): void;
}

export class MemoryBanHistory implements BanHistory {
  private readonly sinceByKey = new Map<string, number[]>();

  count(ipOrPrefix: string, jail: string, sinceMs: number): number {
    const list = this.sinceByKey.get(`${jail}\u0000${ipOrPrefix}`);
    if (!list) return 0;
    let n = 0;
    for (const t of list) if (t >= sinceMs) n++;
    return n;
  }

  record(ban: Ban): void {
    const key = `${ban.jail}\u0000${ban.ip}`;
    const list = this.sinceByKey.get(key);
    if (list) list.push(ban.since);
    else this.sinceByKey.set(key, [ban.since]);
  }
}
