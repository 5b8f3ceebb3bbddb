/** The Strike stored for a Failure a jail counted: what, how much, and the line it came from. */
import type { EventKind, Failure, Strike } from '../core/types';
import { normaliseUser, type UserHasher } from './normalise-user';
import { redactUser } from './redact-user';

/** Where the failure was read (kept with the strike as evidence). */
export interface Evidence {
  source?: string;
  line?: number;
  text?: string;
}

const MAX_TEXT = 1024;

export function strikeOf(jail: string, hashUser: UserHasher, f: Failure, event: EventKind, weight: number, evidence: Evidence): Strike {
  const userHash = f.user ? hashUser(normaliseUser(f.user)) : undefined;
  return {
    ip: f.ip,
    jail,
    time: f.time,
    event,
    weight,
    rule: `${f.filter}/${f.rule}`,
    userHash,
    source: evidence.source,
    line: evidence.line,
    // the name is kept only as its keyed hash, in the line too (issue 15)
    text: evidence.text === undefined ? undefined : redactUser(evidence.text.slice(0, MAX_TEXT), f.user, userHash),
  };
}
