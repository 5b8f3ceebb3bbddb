/**
 * What a filter remembers about one SMTP session (keyed by Postfix pid, IceWarp thread id), so a
 * line can be read in the light of earlier ones: the HELO before an AUTH failure, the base64 user
 * before IceWarp's `535`, "EHLO then QUIT with nothing between". Bounded twice: at most
 * `maxSessions` entries (least recently used dropped first) and entries idle for longer than
 * `ttlMs` of log time are forgotten; a pid is reused by the next session, so stale state must go.
 */
export interface Session {
  ip?: string;
  helo?: string;
  user?: string;
  state: string;
  /** A line of the session was a failed login / a login (filters with summary rules): its summaries of it yield nothing. */
  loginFailed: boolean;
  loginOk: boolean;
  /** Log time (epoch ms) of the last line that touched the session. */
  lastSeen: number;
}

export const START_STATE = 'start';

/** A session that knows nothing yet. Every field is there from the start: one object shape for all. */
export function newSession(now: number): Session {
  return { ip: undefined, helo: undefined, user: undefined, state: START_STATE, loginFailed: false, loginOk: false, lastSeen: now };
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

  has(key: string): boolean {
    return this.map.has(key);
  }

  get size(): number {
    return this.map.size;
  }
}
