/**
 * Every filter regex runs in bounded time, whatever the line (issue 17 point 5: one Exim rule
 * backtracked exponentially and a 413-byte line froze the daemon). Regexes run on V8's
 * backtracking engine, the fastest on ordinary lines; the process also runs with
 * --enable-experimental-regexp-engine-on-excessive-backtracks (config/regexp-engine.ts), so a
 * match that backtracks too much is finished by V8's linear-time engine instead. That engine takes
 * only some regexes (Node 20: no lookaround, no backreference, no case-insensitive flag, counted
 * repetitions up to 16, nested ones multiplied), and a regex it cannot take has no fallback: so
 * every filter regex must be one it takes, proven at load by compiling it with the `l` flag.
 * Case-insensitive rules are case-folded into character classes first, which it takes.
 */
import { classEnd, escapeAt } from './regexp-source';

/** Is V8's linear engine switched on in this process (the `l` flag recognised)? */
export function isLinearEngineOn(): boolean {
  try {
    new RegExp('', 'l');
    return true;
  } catch {
    return false;
  }
}

/** Why `source` could run unbounded (null when V8's linear engine takes it). */
export function unboundedReason(source: string, flags: string): string | null {
  if (!isLinearEngineOn()) throw new Error('the linear regexp engine is off: call enableBoundedRegExps() before compiling filters');
  try {
    new RegExp(source, `${flags.replace(/[iy]/g, '')}l`);
    return null;
  } catch {
    return 'could take unbounded time on a hostile line (V8\'s linear engine cannot run it): write it without lookaround ((?=, (?!, (?<=, (?<!), backreferences, or counted repetitions over {16} (nested ones multiplied)';
  }
}

/**
 * `source` rewritten so it matches case-insensitively without the `i` flag: every ASCII letter
 * outside a class becomes `[xX]`, and a class gains the other case of its letters and letter
 * ranges. Escapes (`\w`, `\x41`, `\p{L}`, `\k<n>`) and group syntax (`(?<name>`) are kept.
 */
export function foldCase(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '\\') {
      const esc = escapeAt(source, i);
      out += esc;
      i += esc.length;
    } else if (c === '[') {
      const end = classEnd(source, i);
      out += foldClass(source.slice(i, end));
      i = end;
    } else if (c === '(' && source.startsWith('(?<', i) && /^\(\?<[A-Za-z_]/.test(source.slice(i, i + 4))) {
      const close = source.indexOf('>', i);
      out += source.slice(i, close + 1);
      i = close + 1;
    } else if (c === '{') {
      const close = source.indexOf('}', i);
      const counted = close > 0 && /^\{\d+(?:,\d*)?\}$/.test(source.slice(i, close + 1));
      out += counted ? source.slice(i, close + 1) : c;
      i = counted ? close + 1 : i + 1;
    } else {
      out += otherCase(c) === c ? c : `[${c}${otherCase(c)}]`;
      i++;
    }
  }
  return out;
}

function foldClass(cls: string): string {
  const body = cls.slice(1, -1);
  let extra = '';
  let j = body.startsWith('^') ? 1 : 0;
  while (j < body.length) {
    if (body[j] === '\\') {
      j += escapeAt(body, j).length;
      continue;
    }
    const a = body[j];
    if (body[j + 1] === '-' && j + 2 < body.length && body[j + 2] !== '\\') {
      const b = body[j + 2];
      if (/[a-z]/.test(a) && /[a-z]/.test(b)) extra += `${a.toUpperCase()}-${b.toUpperCase()}`;
      else if (/[A-Z]/.test(a) && /[A-Z]/.test(b)) extra += `${a.toLowerCase()}-${b.toLowerCase()}`;
      j += 3;
      continue;
    }
    if (otherCase(a) !== a) extra += otherCase(a);
    j++;
  }
  return `[${body}${extra}]`;
}

function otherCase(c: string): string {
  if (c >= 'a' && c <= 'z') return c.toUpperCase();
  if (c >= 'A' && c <= 'Z') return c.toLowerCase();
  return c;
}
