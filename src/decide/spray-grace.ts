/**
 * Spray bans held for a grace period (issue 11 point 4). A spray on `alice@` also catches Alice
 * herself when she mistypes during it from a new address; her login a few seconds later must
 * cancel the ban before it is made, whether she logs in 4 s later or, after a second failed session,
 * 36 s after her first failure. So a spray ban is held `holdMs` (45 s) after the member's first
 * failure, or `graceMs` (20 s) after its latest if that is later, never more than twice `holdMs`;
 * a login from the member cancels it. Only the later of the two bounds protects a customer however
 * her failures are spaced: a deadline of 20 s after the latest failure alone bans her when two
 * quick mistypes come 25 s before her login. A sprayer gains that delay and no guesses: its
 * failures still count towards maxRetry, and a failure after the deadline makes the ban at once.
 */
export interface DueBan {
  target: string;
  reason: string;
  /** Log time the grace ended. */
  due: number;
}

export class SprayGrace {
  /** target -> pending ban; insertion order is the order of first deferral. */
  private readonly pending = new Map<string, { reason: string; first: number; due: number }>();

  constructor(
    private readonly graceMs: number,
    private readonly holdMs: number,
    /**
     * Replay's clock is the log's stamps, often whole seconds: a line stamped in the second a
     * grace ends (the login that cancels it included) may have been written before it ended. With
     * 1000, only a line stamped in a later second makes the ban. 0 for the daemon's own clock.
     */
    private readonly stampSlackMs = 0,
  ) {}

  get isOn(): boolean {
    return this.graceMs > 0;
  }

  /** The member failed again at `time`, or was found in a spray: (re)arm its deadline. */
  defer(target: string, reason: string, time: number): void {
    const p = this.pending.get(target);
    const first = p?.first ?? time;
    const due = Math.min(Math.max(time + this.graceMs, first + this.holdMs), first + 2 * this.holdMs);
    this.pending.set(target, { reason, first, due });
  }

  /** A login from the member (or an admin's unban): no ban. */
  cancel(target: string): void {
    this.pending.delete(target);
  }

  /** Removes and returns the bans whose grace ended by `time`. */
  takeDue(time: number): DueBan[] {
    if (this.pending.size === 0) return [];
    const out: DueBan[] = [];
    for (const [target, p] of this.pending) {
      if (p.due + this.stampSlackMs > time) continue;
      this.pending.delete(target);
      out.push({ target, reason: p.reason, due: p.due });
    }
    return out;
  }

  get size(): number {
    return this.pending.size;
  }
}
