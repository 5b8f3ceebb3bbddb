/**
 * User names are stored only as a keyed hash (HMAC-SHA256, 16 hex characters): enough to tell
 * mailboxes apart in a spray, useless for reading the names back out of the database.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { UserHasher } from '../decide/normalise-user';

export function createUserHasher(key: string): UserHasher {
  const cache = new Map<string, string>();
  return (user) => {
    let h = cache.get(user);
    if (h === undefined) {
      h = createHmac('sha256', key).update(user).digest('hex').slice(0, 16);
      if (cache.size > 50_000) cache.clear();
      cache.set(user, h);
    }
    return h;
  };
}

export function newHashKey(): string {
  return randomBytes(32).toString('hex');
}

/** Replay has no database: it uses a fixed key, so its hashes are stable between runs. */
export const REPLAY_HASH_KEY = 'mailjail-replay';
