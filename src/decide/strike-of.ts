/** The Strike stored for a Failure a jail counted: what, how much, and the line it came from. */
import type { EventKind, Failure, Strike } from '../core/types';
import { normaliseUser, type UserHasher } from './normalise-user';

/** Where the failure was read (kept with the strike as evidence). */
export interface Evidence {
  source?: string;
  line?: number;
  text?: string;
}

const MAX_TEXT = 1024;

export function strikeOf(jail: string, hashUser: UserHasher, f: Failure, event: EventKind, weight: number, evidence: Evidence): Strike {
  return {
    ip: f.ip,
    jail,
    time: f.time,
    event,
    weight,
    rule: `${f.filter}/${f.rule}`,
    userHash: f.user ? hashUser(normaliseUser(f.user)) : undefined,
    source: evidence.source,
    line: evidence.line,
    text: evidence.text?.slice(0, MAX_TEXT),
  };
}
