/**
 * The placeholders a filter's regexes may use, and their expansion:
 *   <HOST>     the client address: IPv4, IPv6, IPv4-mapped IPv6 (brackets and `:port` stay in the rule)
 *   <TIME>     any timestamp parse-time.ts understands (prefix only)
 *   %(name)    a fragment from the filter's `defs`
 */
import { TIME_PATTERN } from './parse-time';

const V4 = '(?:\\d{1,3}\\.){3}\\d{1,3}';
// Deterministic, so a 64 KiB run of hex digits and colons costs one pass: every group after the
// first starts with its colon and a hex run ends only where a non-hex character is. The first group
// is bounded (it may start a line: IceWarp), at most 8 groups, all within what V8's linear engine
// takes (bounded-regexp.ts); the address parser rejects a group over 4 digits. The last group
// doubles as an IPv4 tail's first octet.
const V6 = '[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]*){1,7}(?:(?:\\.\\d{1,3}){3})?';
const HOST_PATTERN = `(?<host>${V4}|${V6})`;

/** Wildcards that can run over attacker-written text (HELO, user, sender) to reach a <HOST>. */
const FLOATING = /(?:^|[^\\])(?:\.|\\S)[*+]/;

export interface Expanded {
  source: string;
  problems: string[];
}

/** Expands `%(name)` (defs may use other defs, not themselves), then <HOST> and <TIME>. */
export function expandPlaceholders(text: string, defs: Record<string, string>, allowTime: boolean): Expanded {
  const problems: string[] = [];
  let source = text;
  for (let depth = 0; source.includes('%('); depth++) {
    if (depth > 8) {
      problems.push('%(...) references nest too deep (a def that uses itself?)');
      break;
    }
    source = source.replace(/%\((\w+)\)/g, (all, name: string) => {
      if (Object.prototype.hasOwnProperty.call(defs, name)) return defs[name];
      problems.push(`unknown def %(${name})`);
      return '';
    });
    if (/%\((?!\w+\))/.test(source)) {
      problems.push('malformed %( reference');
      break;
    }
  }
  const hosts = source.split('<HOST>').length - 1;
  if (hosts > 1) problems.push('<HOST> may appear only once');
  if (source.includes('<TIME>') && !allowTime) problems.push('<TIME> belongs in the prefix');
  const beforeHost = hosts > 0 ? source.slice(0, source.indexOf('<HOST>')) : '';
  if (hosts > 0 && FLOATING.test(beforeHost)) {
    problems.push('a wildcard (.*, .+, \\S*, \\S+) before <HOST> could let attacker text choose the address; match the MTA\'s own words up to the address');
  }
  source = source.replace('<HOST>', HOST_PATTERN).replace('<TIME>', TIME_PATTERN);
  return { source, problems };
}
