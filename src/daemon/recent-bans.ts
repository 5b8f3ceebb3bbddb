/** The last bans put into the kernel (any jail, any origin), for `status --watch`: a small ring. */
import type { Ban } from '../core/types';
import type { JailEvents } from './jail-registry';

export class RecentBans {
  private readonly ring: Ban[] = [];

  constructor(
    jails: JailEvents,
    private readonly size = 8,
  ) {
    jails.onBans((_rt, bans) => {
      // a flood of 10,000 bans keeps only its last few: never more than `size` copies
      for (let i = Math.max(0, bans.length - this.size); i < bans.length; i++) this.ring.push(bans[i]);
      if (this.ring.length > this.size) this.ring.splice(0, this.ring.length - this.size);
    });
  }

  /** Newest first. */
  list(): Ban[] {
    return [...this.ring].reverse();
  }
}
