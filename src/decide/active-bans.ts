/**
 * The engine's active bans: target (address or prefix) -> until. A restart restores 100,000 of
 * them, nearly all single IPv4 addresses; as a Map of strings and boxed numbers they took ~9 MiB
 * of heap (issue 7: resident memory <= 80 MiB). Plain IPv4 addresses therefore live in an
 * open-addressing table of typed arrays (12 bytes a slot); everything else (IPv6, prefixes, any
 * spelling that is not a canonical dotted quad) in a Map keyed by the same string as before.
 */
import { ipv4Number } from '../core/ip';

const MIN_CAPACITY = 1024;
/** Empty slot marker in `untils` (a ban's end is never NaN). */
const EMPTY = NaN;

export class ActiveBans {
  private keys = new Uint32Array(MIN_CAPACITY);
  private untils = new Float64Array(MIN_CAPACITY).fill(EMPTY);
  private mask = MIN_CAPACITY - 1;
  private shift = 32 - Math.log2(MIN_CAPACITY);
  private used = 0;
  private readonly others = new Map<string, number>();

  /** The ban's end, or 0 when the target has no active ban recorded. */
  get(target: string): number {
    const v4 = ipv4Number(target);
    if (v4 < 0) return this.others.get(target) ?? 0;
    const slot = this.find(v4);
    return slot < 0 ? 0 : this.untils[slot];
  }

  set(target: string, until: number): void {
    const v4 = ipv4Number(target);
    if (v4 < 0 || Number.isNaN(until)) {
      this.others.set(target, until);
      return;
    }
    for (let i = this.home(v4); ; i = (i + 1) & this.mask) {
      if (Number.isNaN(this.untils[i])) {
        this.keys[i] = v4;
        this.untils[i] = until;
        if (++this.used * 10 > this.keys.length * 7) this.resize(this.keys.length * 2);
        return;
      }
      if (this.keys[i] === v4) {
        this.untils[i] = until;
        return;
      }
    }
  }

  delete(target: string): void {
    const v4 = ipv4Number(target);
    if (v4 < 0) {
      this.others.delete(target);
      return;
    }
    let hole = this.find(v4);
    if (hole < 0) return;
    // Backward-shift deletion (linear probing): later members of the run move up into the hole,
    // unless their home lies cyclically after the hole, so no tombstones are needed.
    for (let j = (hole + 1) & this.mask; !Number.isNaN(this.untils[j]); j = (j + 1) & this.mask) {
      const home = this.home(this.keys[j]);
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (stays) continue;
      this.keys[hole] = this.keys[j];
      this.untils[hole] = this.untils[j];
      hole = j;
    }
    this.untils[hole] = EMPTY;
    this.used--;
  }

  /** Forgets every ban that ended at or before `now` (and shrinks the table to what remains). */
  prune(now: number): void {
    for (const [k, until] of this.others) if (until <= now) this.others.delete(k);
    const keys = this.keys;
    const untils = this.untils;
    let kept = 0;
    for (let i = 0; i < untils.length; i++) if (untils[i] > now) kept++;
    let capacity = MIN_CAPACITY;
    while (kept * 10 > capacity * 5) capacity *= 2;
    this.allocate(capacity);
    for (let i = 0; i < untils.length; i++) if (untils[i] > now) this.insertFresh(keys[i], untils[i]);
  }

  get size(): number {
    return this.used + this.others.size;
  }

  private find(v4: number): number {
    for (let i = this.home(v4); ; i = (i + 1) & this.mask) {
      if (Number.isNaN(this.untils[i])) return -1;
      if (this.keys[i] === v4) return i;
    }
  }

  /** Fibonacci hashing (the product's top bits): neighbouring addresses spread over the table. */
  private home(v4: number): number {
    return Math.imul(v4, 0x9e3779b1) >>> this.shift;
  }

  private resize(capacity: number): void {
    const keys = this.keys;
    const untils = this.untils;
    this.allocate(capacity);
    for (let i = 0; i < untils.length; i++) if (!Number.isNaN(untils[i])) this.insertFresh(keys[i], untils[i]);
  }

  private allocate(capacity: number): void {
    this.keys = new Uint32Array(capacity);
    this.untils = new Float64Array(capacity).fill(EMPTY);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
    this.used = 0;
  }

  /** Inserts a key known to be absent (rebuilding after resize or prune). */
  private insertFresh(v4: number, until: number): void {
    let i = this.home(v4);
    while (!Number.isNaN(this.untils[i])) i = (i + 1) & this.mask;
    this.keys[i] = v4;
    this.untils[i] = until;
    this.used++;
  }
}
