/**
 * Per-offender sliding windows of weighted strikes. Each entry carries its own window, because a
 * scanner's visit counts for a day while an AUTH failure counts for ten minutes.
 */
interface Entry {
  time: number;
  weight: number;
  windowMs: number;
}

/** Bound per offender: a flood from one IP must not grow memory; old entries go first. */
const MAX_ENTRIES_PER_KEY = 256;

export class StrikeWindows {
  private readonly entries = new Map<string, Entry[]>();

  add(key: string, time: number, weight: number, windowMs: number): void {
    let list = this.entries.get(key);
    if (!list) {
      list = [];
      this.entries.set(key, list);
    }
    list.push({ time, weight, windowMs });
    if (list.length > MAX_ENTRIES_PER_KEY) list.splice(0, list.length - MAX_ENTRIES_PER_KEY);
  }

  /** Sum of weights still inside their windows at `now`; drops the ones that left. */
  score(key: string, now: number): number {
    const list = this.entries.get(key);
    if (!list) return 0;
    let sum = 0;
    let kept = 0;
    for (const e of list) {
      if (e.time > now - e.windowMs) {
        sum += e.weight;
        list[kept++] = e;
      }
    }
    list.length = kept;
    if (kept === 0) this.entries.delete(key);
    // Float sums of weights such as 0.1 must still reach an integer maxRetry.
    return Math.round(sum * 1e6) / 1e6;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every entry that has left its window. */
  prune(now: number): void {
    for (const key of this.entries.keys()) this.score(key, now);
  }

  get size(): number {
    return this.entries.size;
  }
}
