/**
 * Line -> Failure. Filters are tried in order and the first one that yields a Failure wins.
 * Inside a filter: keywords (plain substring tests) gate everything, then the prefix regex binds
 * time/session (and, for IceWarp, the address), then the rules run sticky from the end of the
 * prefix, first match wins. Lines must arrive in file order: sessions depend on it.
 */
import type { Failure, LineEvent } from '../core/types';
import type { CompiledFilter, CompiledRule } from './compile-filter';
import { decodeUser } from './decode-user';
import { failureOf, type Groups } from './failure-of';
import { IpCache } from './ip-cache';
import { KeywordScanner } from './keyword-scanner';
import { LineBudget, type LineBudgetOptions } from './line-budget';
import { dateFromFileName, parseLogTime, type LocalDate } from './parse-time';
import { newSession, noteLogin, opensVisit, SessionTable, START_STATE, type Session } from './session-table';

/** The hostile-line guard's options (line-budget.ts): with a `clock`, a line over its budget is skipped. */
export interface MatcherOptions extends LineBudgetOptions {
  /** Sessions remembered per filter and source (default 10000). */
  maxSessions?: number;
  /** Forget a session after this much log time without a line (default 10 minutes). */
  sessionTtlMs?: number;
}

interface FilterState {
  filter: CompiledFilter;
  sessions: Map<string, SessionTable>;
  lastSource?: string;
  lastSessions?: SessionTable;
  /** Which of the filter's keywords a line holds: one Wu-Manber pass, not one includes each. */
  scanner: KeywordScanner;
  /** The current line's answer: present[i] = 1 if it holds filter.keywords[i]. */
  present: Uint8Array;
  lastFile?: string;
  lastFileDate?: LocalDate | null;
  /** Consecutive lines often share a timestamp: parse each text once. */
  lastTimeText?: string;
  lastTimeRef?: number;
  lastTime?: number;
}

export class Matcher {
  private readonly states: FilterState[];
  private readonly maxSessions: number;
  private readonly sessionTtlMs: number;
  private readonly ips = new IpCache();
  private readonly budget: LineBudget | null;
  /** Lines that held a filter's keyword yet matched no rule (a metric: a filter gone blind to a new log format). */
  nearMisses = 0;
  /** Every keyword of every filter: what matchChunk scans a chunk for. */
  readonly keywords: readonly string[];
  /** Scans for `keywords` (matchChunk's one pass over a chunk). */
  readonly scanner: KeywordScanner;

  constructor(filters: CompiledFilter[], options: MatcherOptions = {}) {
    this.maxSessions = options.maxSessions ?? 10_000;
    this.sessionTtlMs = options.sessionTtlMs ?? 600_000;
    this.budget = options.clock ? new LineBudget(options.clock, options) : null;
    this.states = filters.map((filter) => ({
      filter,
      sessions: new Map(),
      scanner: new KeywordScanner(filter.keywords),
      present: new Uint8Array(filter.keywords.length),
    }));
    this.keywords = [...new Set(filters.flatMap((f) => f.keywords))];
    this.scanner = new KeywordScanner(this.keywords);
  }

  get filters(): CompiledFilter[] {
    return this.states.map((s) => s.filter);
  }

  /** One line in, at most one Failure out. `referenceTime` (epoch ms) anchors syslog year inference. */
  match(ev: LineEvent, referenceTime: number): Failure | null {
    const text = ev.text;
    let heldKeyword = false;
    for (const st of this.states) {
      if (!st.scanner.markPresent(text, st.present)) continue;
      heldKeyword = true;
      const f = this.matchFilter(st, ev, referenceTime);
      if (f) return f;
    }
    if (heldKeyword) this.nearMisses++;
    return null;
  }

  private matchFilter(st: FilterState, ev: LineEvent, ref: number): Failure | null {
    const filter = st.filter;
    const text = ev.text;
    const head = filter.prefix.exec(text);
    if (!head) return null;
    const at = head[0].length;
    const hg = head.groups;
    const budget = this.budget;
    const started = budget ? budget.start() : 0;
    for (const rule of filter.rules) {
      if (!hasRuleKeyword(rule.keywordIds, st.present)) continue;
      rule.re.lastIndex = at;
      const m = rule.re.exec(text);
      if (budget && budget.isOver(ev, started, rule, at)) return null;
      if (!m) continue;
      const g = m.groups ?? {};
      const hostText = rule.hasHost ? g.host : hg?.host;
      const ip = hostText === undefined ? undefined : this.ips.canonical(hostText);
      if (ip === null) continue; // looked like an address but is not one (999.1.1.1)
      const time = ev.time ?? this.timeOf(st, hg?.time, ev.file, ref);
      // Without a session id in the line, a filter with summary rules or temporary rejects keys sessions by address.
      const sessionId = filter.hasSession ? hg?.session : undefined;
      const key = sessionId ?? (filter.keysByAddress && ip ? ip : undefined);
      const sessions = key === undefined ? undefined : this.sessionsOf(st, ev.source);
      let session: Session = sessions && key !== undefined ? sessions.get(key, time) : newSession(time);
      // A pid / thread id is reused by the next client: a different address means a new session.
      if (rule.then?.reset || (ip && session.ip && session.ip !== ip)) session = newSession(time);
      if (rule.when && !rule.when.includes(session.state)) continue;
      if (isIgnored(filter, text, at)) return null;
      return this.apply(st, rule, g, ip, time, session, sessionId, key, sessions);
    }
    return null;
  }

  private apply(
    st: FilterState,
    rule: CompiledRule,
    g: Groups,
    ip: string | undefined,
    time: number,
    session: Session,
    sessionId: string | undefined,
    key: string | undefined,
    sessions: SessionTable | undefined,
  ): Failure | null {
    const user = g.user === undefined ? undefined : rule.decodeUser ? decodeUser(g.user, rule.decodeUser) : g.user;
    const helo = g.helo;
    if (ip) session.ip = ip;
    if (helo !== undefined) session.helo = helo;
    if (user !== undefined) session.user = user;
    if (rule.then?.state) session.state = rule.then.state;
    session.lastSeen = time;
    const knownHelo = helo ?? session.helo;
    const knownUser = user ?? session.user;
    const forget = rule.then?.forget;
    if (forget) for (const k of forget) session[k] = undefined;
    // A summary line (`disconnect ... auth=0/1`, `auth=1/2`) does not count again its session's login outcome.
    const counted = rule.event === 'auth-success' ? session.loginOk : session.loginFailed;
    let failure = rule.summary && counted ? null : failureOf(st.filter, rule, g, ip, time, knownHelo, knownUser);
    if (failure && st.filter.hasSummaries) noteLogin(session, failure.event);
    // A visit's later temporary rejects (its other recipients, an anvil limit after a 450) say nothing new.
    if (failure?.event === 'temp-reject' && key !== undefined && !opensVisit(session, time, sessionId === undefined)) failure = null;
    if (sessions && key !== undefined) {
      // A session is stored once it holds something; a fresh one that learned nothing is not.
      const learned = session.helo !== undefined || session.user !== undefined || session.state !== START_STATE || session.loginFailed || session.loginOk || session.deferredAt !== undefined;
      if (rule.then?.end) sessions.delete(key);
      else if (learned || sessions.has(key)) sessions.put(key, session);
    }
    return failure;
  }

  /** One table per source: the same pid in two logs is two sessions. */
  private sessionsOf(st: FilterState, source: string): SessionTable {
    if (st.lastSource === source && st.lastSessions) return st.lastSessions;
    let table = st.sessions.get(source);
    if (!table) st.sessions.set(source, (table = new SessionTable(this.maxSessions, this.sessionTtlMs)));
    st.lastSource = source;
    st.lastSessions = table;
    return table;
  }

  private timeOf(st: FilterState, text: string | undefined, file: string | undefined, ref: number): number {
    if (text === undefined) return ref;
    let fileDate: LocalDate | null = null;
    if (file && st.filter.fileDate) {
      if (st.lastFile !== file) {
        st.lastFile = file;
        st.lastFileDate = dateFromFileName(st.filter.fileDate, file);
      }
      fileDate = st.lastFileDate ?? null;
    }
    if (text === st.lastTimeText && ref === st.lastTimeRef && fileDate === (st.lastFileDate ?? null)) return st.lastTime as number;
    const t = parseLogTime(text, ref, fileDate) ?? ref;
    st.lastTimeText = text;
    st.lastTimeRef = ref;
    st.lastTime = t;
    return t;
  }
}

function hasRuleKeyword(ids: readonly number[], present: Uint8Array): boolean {
  for (let i = 0; i < ids.length; i++) if (present[ids[i]] === 1) return true;
  return false;
}

function isIgnored(filter: CompiledFilter, text: string, at: number): boolean {
  for (const re of filter.ignore) {
    re.lastIndex = at;
    if (re.test(text)) return true;
  }
  return false;
}
