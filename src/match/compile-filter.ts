/**
 * A validated filter definition -> RegExps ready for the hot path. Every problem (bad regex, one
 * that could run unbounded, a rule that binds no address, a floating wildcard before <HOST>) is
 * collected, then thrown as one MailjailError('CONFIG') listing them all as `file:line: path: message`.
 */
import { MailjailError } from '../core/errors';
import { foldCase, unboundedReason } from './bounded-regexp';
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
  readonly then?: { state?: string; reset?: boolean; forget?: ReadonlyArray<'user' | 'helo'> };
  readonly decodeUser?: UserEncoding;
  /** Yields nothing when an earlier line of its session was a failed login. */
  readonly summary: boolean;
}

export interface CompiledFilter {
  readonly name: string;
  readonly file?: string;
  readonly prefix: RegExp;
  readonly prefixHasHost: boolean;
  readonly hasSession: boolean;
  /** Has summary rules: without a session id in the prefix, sessions are keyed by address. */
  readonly hasSummaries: boolean;
  /** Union of the rules' keywords: a line containing none of them skips every regex. */
  readonly keywords: readonly string[];
  readonly rules: readonly CompiledRule[];
  readonly ignore: readonly RegExp[];
  readonly fileDate?: RegExp;
  /** Lower-cased HELO -> the fingerprint name as listed. */
  readonly fingerprints: ReadonlyMap<string, string>;
}

type Path = Array<string | number>;

export function compileFilter(
  name: string,
  def: FilterDef,
  file?: string,
  lineOf?: (path: ReadonlyArray<string | number>) => number,
): CompiledFilter {
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

  const prefix = compile(`^(?:${def.prefix})`, '', ['prefix'], true);
  const prefixGroups = prefix ? groupNames(prefix) : new Set<string>();
  const prefixHasHost = prefixGroups.has('host');

  const rules: Array<Omit<CompiledRule, 'keywordIds'>> = [];
  const ids = new Set<string>();
  def.rules.forEach((r, i) => {
    if (ids.has(r.id)) problems.push(`${where(['rules', i, 'id'])}: duplicate rule id "${r.id}"`);
    ids.add(r.id);
    const re = compile(r.regex, r.ignoreCase ? 'yi' : 'y', ['rules', i, 'regex'], false);
    if (!re) return;
    const groups = groupNames(re);
    for (const g of ['time', 'session']) {
      if (groups.has(g)) problems.push(`${where(['rules', i, 'regex'])}: (?<${g}>) belongs in the prefix`);
    }
    const hasHost = groups.has('host');
    if (hasHost && prefixHasHost) problems.push(`${where(['rules', i, 'regex'])}: the prefix already binds <HOST>`);
    if (r.event && !hasHost && !prefixHasHost) {
      problems.push(`${where(['rules', i, 'regex'])}: a rule with an event must bind <HOST>`);
    }
    if (r.decode && !groups.has('user')) problems.push(`${where(['rules', i, 'decode'])}: decode needs a (?<user>) group`);
    if ((r.when || r.then?.state) && !prefixGroups.has('session')) {
      problems.push(`${where(['rules', i])}: when/then need a (?<session>) group in the prefix`);
    }
    rules.push({
      id: r.id,
      event: r.event,
      keywords: r.keywords,
      re,
      hasHost,
      when: r.when,
      then: r.then,
      decodeUser: r.decode?.user,
      summary: r.summary === true,
    });
  });

  const ignore: RegExp[] = [];
  (def.ignore ?? []).forEach((text, i) => {
    const re = compile(text, 'y', ['ignore', i], false);
    if (re) ignore.push(re);
  });

  let fileDate: RegExp | undefined;
  if (def.fileDate !== undefined) {
    const re = compile(def.fileDate, '', ['fileDate'], false);
    const g = re ? groupNames(re) : new Set<string>();
    if (re && !(g.has('year') && g.has('month') && g.has('day'))) {
      problems.push(`${where(['fileDate'])}: needs groups (?<year>) (?<month>) (?<day>)`);
    } else if (re) fileDate = re;
  }

  if (problems.length > 0 || !prefix) {
    throw new MailjailError('CONFIG', `invalid filter ${name}: ${problems[0] ?? 'bad prefix'}`, problems);
  }
  const keywords = [...new Set(rules.flatMap((r) => r.keywords))];
  const fingerprints = new Map<string, string>();
  for (const h of def.fingerprints?.helo ?? []) fingerprints.set(h.toLowerCase(), h);
  return {
    name,
    file,
    prefix,
    prefixHasHost,
    hasSession: prefixGroups.has('session'),
    hasSummaries: rules.some((r) => r.summary),
    keywords,
    rules: rules.map((r) => ({ ...r, keywordIds: r.keywords.map((k) => keywords.indexOf(k)) })),
    ignore,
    fileDate,
    fingerprints,
  };
}

/** The named groups of a regex (an empty alternative makes it match "", exposing all group names). */
function groupNames(re: RegExp): Set<string> {
  const probe = new RegExp(`(?:${re.source})|`).exec('');
  return new Set(Object.keys(probe?.groups ?? {}));
}
