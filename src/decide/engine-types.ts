/** What a jail's decision engine is handed (the address guard) and what it answers (an Outcome). */
import type { Ban, Strike } from '../core/types';

export interface Guard {
  /** True for addresses (or prefixes overlapping addresses) that must never be banned. */
  isProtected(ipOrCidr: string): boolean;
}

export interface Outcome {
  /** What to store (null when the failure does not count in this jail). */
  strike: Strike | null;
  bans: Ban[];
  /** An offender whose earlier strikes were forgiven (a customer who then logged in). */
  forgiven: string | null;
  /** A customer's failure that would have banned anyone else (counted by metrics). */
  spared?: boolean;
}

export const NO_OUTCOME: Outcome = { strike: null, bans: [], forgiven: null };
