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

/**
 * The daemon's history: counts come from the store (`countStored`), but only for targets banned
 * before. Under a flood almost every ban is a first offence, so "never banned" must be answered
 * from memory; holding every `jail ip` as a string cost ~14 MiB for 100,000 bans (issue 7), so
 * this keeps a 32-bit hash of each in a typed array instead. A hash collision only costs a query
 * whose answer is exact anyway.
 */
export class StoredBanHistory implements BanHistory {
  private hashes = new Int32Array(1024);
  private used = 0;

  constructor(private readonly countStored: (ipOrPrefix: string, jail: string, sinceMs: number) => number) {}

  /** A target with a ban row (at start: every one in the store). */
  add(jail: string, ipOrPrefix: string): void {
    if (this.insert(this.hashes, hashTarget(jail, ipOrPrefix)) && ++this.used * 10 > this.hashes.length * 7) {
      const old = this.hashes;
      this.hashes = new Int32Array(old.length * 2);
      for (const h of old) if (h !== 0) this.insert(this.hashes, h);
    }
  }

  count(ipOrPrefix: string, jail: string, sinceMs: number): number {
    return this.mayHave(hashTarget(jail, ipOrPrefix)) ? this.countStored(ipOrPrefix, jail, sinceMs) : 0;
  }

  record(ban: Ban): void {
    this.add(ban.jail, ban.ip);
  }

  private mayHave(h: number): boolean {
    const t = this.hashes;
    const mask = t.length - 1;
    for (let i = slotOf(h, mask); t[i] !== 0; i = (i + 1) & mask) if (t[i] === h) return true;
    return false;
  }

  /** True when `h` was not there yet. */
  private insert(t: Int32Array, h: number): boolean {
    const mask = t.length - 1;
    let i = slotOf(h, mask);
    for (; t[i] !== 0; i = (i + 1) & mask) if (t[i] === h) return false;
    t[i] = h;
    return true;
  }
}

/** FNV-1a over `jail \0 target`; never 0 (0 marks an empty slot). */
function hashTarget(jail: string, target: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < jail.length; i++) h = Math.imul(h ^ jail.charCodeAt(i), 0x01000193);
  h = Math.imul(h, 0x01000193); // the separator (a 0 code unit)
  for (let i = 0; i < target.length; i++) h = Math.imul(h ^ target.charCodeAt(i), 0x01000193);
  return h === 0 ? 1 : h;
}

/** Fibonacci hashing: the product's top bits (as many as the table has index bits). */
function slotOf(h: number, mask: number): number {
  return Math.imul(h, 0x9e3779b1) >>> Math.clz32(mask);
}
