/**
 * Reading a regex's source as V8 parses it (no `u` or `v` flag): escapes, classes, named groups.
 * Used to rewrite a source (bounded-regexp.ts folds case) and to learn what it binds without
 * compiling it: a probe compile of every filter regex at load cost about 10 ms of each start.
 */

/** A named group's opening: `(?<name>` (a lookbehind is `(?<=` or `(?<!`). */
const NAMED_GROUP = /^\(\?<([\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*)>/u;

/** The names of the groups `source` binds: every `(?<name>` outside escapes and classes. */
export function groupNamesOf(source: string): Set<string> {
  const names = new Set<string>();
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '\\') {
      i += escapeAt(source, i).length;
    } else if (c === '[') {
      i = classEnd(source, i);
    } else {
      const named = c === '(' && source[i + 1] === '?' && source[i + 2] === '<' ? NAMED_GROUP.exec(source.slice(i, i + 260)) : null;
      if (named) names.add(named[1]);
      i++;
    }
  }
  return names;
}

/** The escape that starts at `i` (`\w`, `\x41`, `\p{L}`, `\k<n>`...), whole. */
export function escapeAt(s: string, i: number): string {
  const next = s[i + 1] ?? '';
  if ((next === 'p' || next === 'P' || next === 'u') && s[i + 2] === '{') return s.slice(i, s.indexOf('}', i) + 1);
  if (next === 'k' && s[i + 2] === '<') return s.slice(i, s.indexOf('>', i) + 1);
  if (next === 'x') return s.slice(i, i + 4);
  if (next === 'u') return s.slice(i, i + 6);
  if (next === 'c') return s.slice(i, i + 3);
  return s.slice(i, i + 2);
}

/** Index just after the `]` closing the class that opens at `i`. As in JavaScript (unlike PCRE), a
 *  `]` first in the class closes it: `[]` matches nothing and `[^]` any character. */
export function classEnd(s: string, i: number): number {
  let j = i + 1;
  if (s[j] === '^') j++;
  while (j < s.length && s[j] !== ']') j += s[j] === '\\' ? escapeAt(s, j).length : 1;
  return j + 1;
}
