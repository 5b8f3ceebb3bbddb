/**
 * Line -> Failure. Filters are tried in order and the first one that yields a Failure wins.
 * Inside a filter: keywords (plain substring tests) gate everything, then the prefix regex binds
 * time/session (and, for IceWarp, the address), then the rules run sticky from the end of the
 * prefix, first match wins. Lines must arrive in file order: sessions depend on it.
 */
import type { EventKind, Failure, LineEvent } from '../core/types';
import type { CompiledFilter, CompiledRule } from './compile-filter';
import { decodeUser } from './decode-user';
import { IpCache } from './ip-cache';
import { KeywordScanner } from './keyword-scanner';
import { dateFromFileName, parseLogTime, type LocalDate } from './parse-time';
import { newSession, noteLogin, SessionTable, START_STATE, type Session } from './session-table';


export interface MatcherOptions {
  /** Sessions remembered per filter and source (default 10000). */
  maxSessions?: number;
  /** Forget a session after this much log time without a line (default 10 minutes). */
  sessionTtlMs?: number;
  /** Hostile-line guard (issue 17.5): a line whose rules take over lineBudgetMs (100) is skipped. */
  clock?: () => number;
  lineBudgetMs?: number;
  /** CPU time of this process in ms: confirms an overrun that the wall clock saw (a stall is not one). */
  cpuClock?: () => number;
  onOverBudget?: (ev: LineEvent, elapsedMs: number, rule: string) => void;
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
  private readonly clock?: () => number;
  private readonly onOverBudget?: MatcherOptions['onOverBudget'];
  private readonly lineBudgetMs: number;
  private readonly cpuClock?: () => number;
  /** Lines that held a filter's keyword yet matched no rule (a metric: a filter gone blind to a new log format). */
  nearMisses = 0;
  /** Every keyword of every filter: what matchChunk scans a chunk for. */
  readonly keywords: readonly string[];
  /** Scans for `keywords` (matchChunk's one pass over a chunk). */
  readonly scanner: KeywordScanner;

  constructor(filters: CompiledFilter[], options: MatcherOptions = {}) {
    this.maxSessions = options.maxSessions ?? 10_000;
    this.sessionTtlMs = options.sessionTtlMs ?? 600_000;
    ({ clock: this.clock, onOverBudget: this.onOverBudget, lineBudgetMs: this.lineBudgetMs = 100, cpuClock: this.cpuClock } = options);
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
    const started = this.clock?.();
    for (const rule of filter.rules) {
      if (!hasRuleKeyword(rule.keywordIds, st.present)) continue;
      rule.re.lastIndex = at;
      const m = rule.re.exec(text);
      if (started !== undefined && this.isOverBudget(ev, started, rule, at)) return null;
      if (!m) continue;
      const g = m.groups ?? {};
      const hostText = rule.hasHost ? g.host : hg?.host;
      const ip = hostText === undefined ? undefined : this.ips.canonical(hostText);
      if (ip === null) continue; // looked like an address but is not one (999.1.1.1)
      const time = ev.time ?? this.timeOf(st, hg?.time, ev.file, ref);
      // Without a session id in the line, a filter with summary rules keys sessions by address.
      const key = (filter.hasSession ? hg?.session : undefined) ?? (filter.hasSummaries && ip ? ip : undefined);
      const sessions = key === undefined ? undefined : this.sessionsOf(st, ev.source);
      let session: Session = sessions && key !== undefined ? sessions.get(key, time) : newSession(time);
      // A pid / thread id is reused by the next client: a different address means a new session.
      if (rule.then?.reset || (ip && session.ip && session.ip !== ip)) session = newSession(time);
      if (rule.when && !rule.when.includes(session.state)) continue;
      if (isIgnored(filter, text, at)) return null;
      return this.apply(st, rule, g, ip, time, session, key, sessions);
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
    const failure = rule.summary && counted ? null : failureOf(st.filter, rule, g, ip, time, knownHelo, knownUser);
    if (failure && st.filter.hasSummaries) noteLogin(session, failure.event);
    // A session is stored once it holds something; a fresh one that learned nothing is not.
    const learned = session.helo !== undefined || session.user !== undefined || session.state !== START_STATE || session.loginFailed || session.loginOk;
    if (sessions && key !== undefined && (learned || sessions.has(key))) sessions.put(key, session);
    return failure;
  }

  /** Every regex is bounded (bounded-regexp.ts); this bounds a line's total, reported, never retried. */
  private isOverBudget(ev: LineEvent, started: number, rule: CompiledRule, at: number): boolean {
    const elapsed = (this.clock as () => number)() - started;
    if (elapsed <= this.lineBudgetMs || this.isStall(rule, ev.text, at)) return false;
    this.onOverBudget?.(ev, elapsed, rule.id);
    return true;
  }

  /** Wall time also runs while the process waits (a loaded machine, a GC pause, SIGSTOP): only a
   *  rule that burns the budget again on the CPU is hostile. A hostile line is matched twice. */
  private isStall(rule: CompiledRule, text: string, at: number): boolean {
    const cpu = this.cpuClock;
    if (!cpu) return false;
    const before = cpu();
    rule.re.lastIndex = at;
    rule.re.exec(text);
    return cpu() - before <= this.lineBudgetMs;
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

type Groups = Record<string, string | undefined>;

/** The Failure a matched rule yields, or null (no event, no address, a HELO rule without a fingerprint). */
function failureOf(filter: CompiledFilter, rule: CompiledRule, g: Groups, ip: string | undefined, time: number, helo?: string, user?: string): Failure | null {
  if (!rule.event || !ip) return null;
  const fingerprint = helo === undefined ? undefined : filter.fingerprints.get(helo.toLowerCase());
  let event: EventKind = rule.event;
  if (event === 'helo-fingerprint' && !fingerprint) return null;
  if (event === 'helo-reject' && fingerprint) event = 'helo-fingerprint';
  const failure: Failure = { ip, time, filter: filter.name, rule: rule.id, event };
  if (user !== undefined && user !== '') failure.user = user;
  if (helo !== undefined && helo !== '') failure.helo = helo;
  if (fingerprint) failure.fingerprint = fingerprint;
  if (g.attempts !== undefined) failure.attempts = attemptsOf(g.attempts);
  return failure;
}

/** A summary line's attempt count, kept within what one connection can make (1..MAX_ATTEMPTS). */
const MAX_ATTEMPTS = 100;
function attemptsOf(text: string): number {
  const n = Number(text);
  return n >= 1 ? Math.min(n, MAX_ATTEMPTS) : 1;
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
