/**
 * What a filter remembers about one SMTP session (keyed by Postfix pid, Exim `[pid]`, IceWarp
 * thread id; without one, by address), so a line can be read in the light of earlier ones: the
 * HELO before an AUTH failure, the base64 user before IceWarp's `535`, "EHLO then QUIT with
 * nothing between", the temporary reject that already counted for this visit. Bounded twice: at
 * most `maxSessions` entries (least recently used dropped first) and entries idle for longer than
 * `ttlMs` of log time are forgotten; a pid is reused by the next session, so stale state must go
 * (and a rule with `then: { end: true }`, Postfix's `disconnect from`, ends it at once).
 */
export interface Session {
  ip?: string;
  helo?: string;
  user?: string;
  state: string;
  /** A line of the session was a failed login / a login (filters with summary rules): its summaries of it yield nothing. */
  loginFailed: boolean;
  loginOk: boolean;
  /** Log time (epoch ms) of the temporary reject that opened the session's visit; undefined: none yet. */
  deferredAt: number | undefined;
  /** Log time (epoch ms) of the last line that touched the session. */
  lastSeen: number;
}

export const START_STATE = 'start';

/** A session that knows nothing yet. Every field is there from the start: one object shape for all. */
export function newSession(now: number): Session {
  return { ip: undefined, helo: undefined, user: undefined, state: START_STATE, loginFailed: false, loginOk: false, deferredAt: undefined, lastSeen: now };
}

/**
 * Without a session id (Exim without `+pid`), one address's temporary rejects less than this long
 * after the one that opened its visit belong to that visit. A client's refused recipients come
 * back to back (pipelined in one packet, or one round trip apart). A bot refused again and again
 * still opens a new visit at most 5 s plus one of its gaps after the last: refused at least every
 * 10 s, it has its 20 visits (a ban) within 4 minutes (README "Temporary rejects").
 */
export const ADDRESS_VISIT_MS = 5_000;

/**
 * Issue 11.3: a temporary reject counts once per SMTP visit, however many recipients the visit had
 * refused (a partner MTA groups up to 50 per message). True when this one opens a new visit, which
 * it then records: the session's first, or with `byAddress` (no session id in the line) the first
 * at least ADDRESS_VISIT_MS after the one that opened the address's last visit.
 */
export function opensVisit(s: Session, time: number, byAddress: boolean): boolean {
  const at = s.deferredAt;
  if (at !== undefined && (!byAddress || (time >= at && time - at < ADDRESS_VISIT_MS))) return false;
  s.deferredAt = time;
  return true;
}

/** Remembers that the session told a login outcome, which its summary lines must not count again. */
export function noteLogin(s: Session, event: string): void {
  if (event === 'auth-failure') s.loginFailed = true;
  else if (event === 'auth-success') s.loginOk = true;
}

export class SessionTable {
  private readonly map = new Map<string, Session>();

  constructor(
    readonly maxSessions: number,
    readonly ttlMs: number,
  ) {}

  /** The live session for `key`, or a fresh one (not yet stored: call `put`). */
  get(key: string, now: number): Session {
    const s = this.map.get(key);
    if (s && now - s.lastSeen <= this.ttlMs) return s;
    if (s) this.map.delete(key);
    return newSession(now);
  }

  put(key: string, s: Session): void {
    // Re-inserting moves the key to the end of the Map's order: the eviction order is LRU.
    this.map.delete(key);
    this.map.set(key, s);
    if (this.map.size > this.maxSessions) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
    }
  }

  /** The session ended (Postfix `disconnect from`): its key's next line starts a new one. */
  delete(key: string): void {
    this.map.delete(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  get size(): number {
    return this.map.size;
  }
}
