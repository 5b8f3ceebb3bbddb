/**
 * Per-offender sliding windows of weighted strikes. Each entry carries its own window, because a
 * scanner's visit counts for a day while an AUTH failure counts for ten minutes.
 *
 * An offender's entries are one flat array of numbers, `[time, weight, windowMs, time, ...]`,
 * copied to its exact size on each add: a restart replays up to 1,000,000 strikes into these, and
 * an object per entry (with its boxed time and weight) plus a push-grown array per offender took
 * 2.5 times the memory (issue 7).
 */
const FIELDS = 3;

/** Bound per offender: a flood from one IP must not grow memory; old entries go first. */
const MAX_ENTRIES_PER_KEY = 256;

export class StrikeWindows {
  private readonly entries = new Map<string, number[]>();

  add(key: string, time: number, weight: number, windowMs: number): void {
    const list = this.entries.get(key);
    if (!list) {
      this.entries.set(key, [time, weight, windowMs]);
      return;
    }
    const kept = list.length >= MAX_ENTRIES_PER_KEY * FIELDS ? list.slice(list.length - (MAX_ENTRIES_PER_KEY - 1) * FIELDS) : list;
    this.entries.set(key, kept.concat(time, weight, windowMs));
  }

  /** Sum of weights still inside their windows at `now`; drops the ones that left. */
  score(key: string, now: number): number {
    const list = this.entries.get(key);
    if (!list) return 0;
    let sum = 0;
    let kept = 0;
    for (let i = 0; i < list.length; i += FIELDS) {
      const time = list[i];
      const weight = list[i + 1];
      const windowMs = list[i + 2];
      if (time > now - windowMs) {
        sum += weight;
        list[kept] = time;
        list[kept + 1] = weight;
        list[kept + 2] = windowMs;
        kept += FIELDS;
      }
    }
    if (kept === 0) this.entries.delete(key);
    else list.length = kept;
    // Float sums of weights such as 0.1 must still reach an integer maxRetry.
    return Math.round(sum * 1e6) / 1e6;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  /** The offenders that have entries (an unbanned prefix forgets every one inside it). */
  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** Drops every entry that has left its window. */
  prune(now: number): void {
    for (const key of this.entries.keys()) this.score(key, now);
  }

  get size(): number {
    return this.entries.size;
  }
}
