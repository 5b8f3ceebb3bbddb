/**
 * A validated filter definition -> RegExps ready for the hot path. Every problem (bad regex, one
 * that could run unbounded, a rule that binds no address, a floating wildcard before <HOST>) is
 * collected, then thrown as one MailjailError('CONFIG') listing them all as `file:line: path: message`.
 */
import { MailjailError } from '../core/errors';
import { foldCase, unboundedReason } from './bounded-regexp';
import { groupNamesOf } from './regexp-source';
import type { EventKind } from '../core/types';
import type { FilterDef } from './filter-schema';
import { expandPlaceholders } from './placeholders';
import type { UserEncoding } from './decode-user';

export interface CompiledRule {
  readonly id: string;
  readonly event?: EventKind;
  readonly keywords: readonly string[];
  /** Indexes of those keywords in the filter's `keywords`. */
  readonly keywordIds: readonly number[];
  /** Sticky: applied at the end of the prefix, never floating over the line. */
  readonly re: RegExp;
  readonly hasHost: boolean;
  readonly when?: readonly string[];
  readonly then?: { state?: string; reset?: boolean; forget?: ReadonlyArray<'user' | 'helo'>; end?: boolean };
  readonly decodeUser?: UserEncoding;
  /** Yields nothing when an earlier line of its session told the same login outcome. */
  readonly summary: boolean;
}

export interface CompiledFilter {
  readonly name: string;
  readonly file?: string;
  readonly prefix: RegExp;
  readonly prefixHasHost: boolean;
  readonly hasSession: boolean;
  /** Has summary rules: a session's summary line does not count again its login outcome. */
  readonly hasSummaries: boolean;
  /**
   * Without a session id in the line, sessions are keyed by address: filters with summary rules,
   * and filters with temporary rejects (counted once per visit: session-table.ts).
   */
  readonly keysByAddress: boolean;
  /** Union of the rules' keywords: a line containing none of them skips every regex. */
  readonly keywords: readonly string[];
  readonly rules: readonly CompiledRule[];
  readonly ignore: readonly RegExp[];
  readonly fileDate?: RegExp;
  /** Lower-cased HELO -> the fingerprint name as listed. */
  readonly fingerprints: ReadonlyMap<string, string>;
}

type Path = Array<string | number>;

/** Compiles regexes of one filter, collecting every problem with its place instead of stopping at the first. */
interface Compiler {
  readonly problems: string[];
  where(path: Path): string;
  compile(text: string, flags: string, path: Path, allowTime: boolean): RegExp | null;
}

export function compileFilter(
  name: string,
  def: FilterDef,
  file?: string,
  lineOf?: (path: ReadonlyArray<string | number>) => number,
): CompiledFilter {
  const c = createCompiler(name, def, file, lineOf);
  const prefix = c.compile(`^(?:${def.prefix})`, '', ['prefix'], true);
  const prefixGroups = prefix ? groupNamesOf(prefix.source) : new Set<string>();
  const ids = new Set<string>();
  const rules: Array<Omit<CompiledRule, 'keywordIds'>> = [];
  def.rules.forEach((r, i) => {
    if (ids.has(r.id)) c.problems.push(`${c.where(['rules', i, 'id'])}: duplicate rule id "${r.id}"`);
    ids.add(r.id);
    const rule = compileRule(r, i, c, prefixGroups);
    if (rule) rules.push(rule);
  });
  const ignore: RegExp[] = [];
  (def.ignore ?? []).forEach((text, i) => {
    const re = c.compile(text, 'y', ['ignore', i], false);
    if (re) ignore.push(re);
  });
  const fileDate = compileFileDate(def, c);
  if (c.problems.length > 0 || !prefix) {
    throw new MailjailError('CONFIG', `invalid filter ${name}: ${c.problems[0] ?? 'bad prefix'}`, c.problems);
  }
  const keywords = [...new Set(rules.flatMap((r) => r.keywords))];
  const fingerprints = new Map<string, string>();
  for (const h of def.fingerprints?.helo ?? []) fingerprints.set(h.toLowerCase(), h);
  return {
    name,
    file,
    prefix,
    prefixHasHost: prefixGroups.has('host'),
    hasSession: prefixGroups.has('session'),
    hasSummaries: rules.some((r) => r.summary),
    keysByAddress: rules.some((r) => r.summary || r.event === 'temp-reject'),
    keywords,
    rules: rules.map((r) => ({ ...r, keywordIds: r.keywords.map((k) => keywords.indexOf(k)) })),
    ignore,
    fileDate,
    fingerprints,
  };
}

function createCompiler(name: string, def: FilterDef, file: string | undefined, lineOf: ((path: ReadonlyArray<string | number>) => number) | undefined): Compiler {
  const problems: string[] = [];
  const where = (path: Path) => {
    const at = file ? (lineOf ? `${file}:${lineOf(path)}: ` : `${file}: `) : `filter ${name}: `;
    return `${at}${path.join('.')}`;
  };
  const defs = def.defs ?? {};
  const compile = (text: string, flags: string, path: Path, allowTime: boolean): RegExp | null => {
    const expanded = expandPlaceholders(text, defs, allowTime);
    for (const p of expanded.problems) problems.push(`${where(path)}: ${p}`);
    // The linear engine has no `i` flag (Node 20): fold the case into the regex itself.
    const source = flags.includes('i') ? foldCase(expanded.source) : expanded.source;
    let re: RegExp;
    try {
      re = new RegExp(source, flags.replace('i', ''));
    } catch (e) {
      // V8 repeats the whole expanded source in the message; the path already says which one.
      const message = (e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
      problems.push(`${where(path)}: invalid regular expression: ${message}`);
      return null;
    }
    const unbounded = unboundedReason(source, re.flags);
    if (unbounded) problems.push(`${where(path)}: ${unbounded}`);
    return unbounded ? null : re;
  };
  return { problems, where, compile };
}

/** One rule, checked against what the prefix already binds; null when its regex is unusable. */
function compileRule(r: FilterDef['rules'][number], i: number, c: Compiler, prefixGroups: Set<string>): Omit<CompiledRule, 'keywordIds'> | null {
  const at = (...path: Path) => c.where(['rules', i, ...path]);
  const re = c.compile(r.regex, r.ignoreCase ? 'yi' : 'y', ['rules', i, 'regex'], false);
  if (!re) return null;
  const groups = groupNamesOf(re.source);
  for (const g of ['time', 'session']) if (groups.has(g)) c.problems.push(`${at('regex')}: (?<${g}>) belongs in the prefix`);
  const hasHost = groups.has('host');
  const prefixHasHost = prefixGroups.has('host');
  if (hasHost && prefixHasHost) c.problems.push(`${at('regex')}: the prefix already binds <HOST>`);
  if (r.event && !hasHost && !prefixHasHost) c.problems.push(`${at('regex')}: a rule with an event must bind <HOST>`);
  if (r.decode && !groups.has('user')) c.problems.push(`${at('decode')}: decode needs a (?<user>) group`);
  if ((r.when || r.then?.state || r.then?.end) && !prefixGroups.has('session')) c.problems.push(`${at()}: when/then need a (?<session>) group in the prefix`);
  return { id: r.id, event: r.event, keywords: r.keywords, re, hasHost, when: r.when, then: r.then, decodeUser: r.decode?.user, summary: r.summary === true };
}

function compileFileDate(def: FilterDef, c: Compiler): RegExp | undefined {
  if (def.fileDate === undefined) return undefined;
  const re = c.compile(def.fileDate, '', ['fileDate'], false);
  if (!re) return undefined;
  const g = groupNamesOf(re.source);
  if (g.has('year') && g.has('month') && g.has('day')) return re;
  c.problems.push(`${c.where(['fileDate'])}: needs groups (?<year>) (?<month>) (?<day>)`);
  return undefined;
}
