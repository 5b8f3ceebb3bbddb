/**
 * Plain IPv6 text read and written by hand, without ipaddr.js: the matcher reads an address per
 * matched line (attackers rotate through a /64, so a cache misses) and a restore masks 100,000
 * /64s. Only the plain form (hex groups, at most one `::`); anything else is left to ipaddr.js.
 */

/** The eight groups of a plain IPv6 text, or undefined when it is not in the plain form. */
export function ipv6Groups(text: string): number[] | undefined {
  const len = text.length;
  if (len < 2 || len > 39) return undefined;
  const groups: number[] = [];
  let gap = -1; // index in `groups` where `::` stands
  let i = 0;
  if (text.charCodeAt(0) === 58) {
    if (text.charCodeAt(1) !== 58) return undefined;
    gap = 0;
    i = 2;
  }
  while (i < len) {
    let value = 0;
    let digits = 0;
    for (; i < len && digits <= 4; i++, digits++) {
      const d = hexValue(text.charCodeAt(i));
      if (d < 0) break;
      value = value * 16 + d;
    }
    if (digits === 0 || digits > 4) return undefined;
    groups.push(value);
    if (i === len) break;
    if (text.charCodeAt(i) !== 58) return undefined; // '.', '%', ']' ...: not the plain form
    i++;
    if (text.charCodeAt(i) === 58) {
      if (gap >= 0) return undefined;
      gap = groups.length;
      i++;
    } else if (i === len) return undefined; // a trailing single ':'
  }
  if (gap < 0 ? groups.length !== 8 : groups.length > 7) return undefined;
  return gap < 0 ? groups : [...groups.slice(0, gap), ...new Array<number>(8 - groups.length).fill(0), ...groups.slice(gap)];
}

/** RFC 5952 text of eight groups: the longest run of two or more zero groups becomes `::`, the first one on a tie. */
export function rfc5952(full: number[]): string {
  let bestAt = -1;
  let bestLen = 1;
  for (let g = 0; g < 8; ) {
    if (full[g] !== 0) {
      g++;
      continue;
    }
    let end = g;
    while (end < 8 && full[end] === 0) end++;
    if (end - g > bestLen) {
      bestAt = g;
      bestLen = end - g;
    }
    g = end;
  }
  if (bestAt < 0) return full.map((n) => n.toString(16)).join(':');
  const head = full.slice(0, bestAt).map((n) => n.toString(16)).join(':');
  const tail = full.slice(bestAt + bestLen).map((n) => n.toString(16)).join(':');
  return `${head}::${tail}`;
}

/**
 * RFC 5952 text of a plain IPv6 address: hex groups and at most one `::`; no embedded IPv4,
 * zone, brackets, or the IPv4-mapped/compatible prefix parseIp folds to IPv4.
 */
export function canonicalIpv6(text: string): string | undefined {
  const full = ipv6Groups(text);
  if (!full) return undefined;
  // ::ffff:a.b.c.d folds to IPv4 in parseIp; leave that (and ::a.b.c.d) to it.
  if (full[0] === 0 && full[1] === 0 && full[2] === 0 && full[3] === 0 && full[4] === 0 && (full[5] === 0xffff || full[5] === 0)) return undefined;
  return rfc5952(full);
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 32;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}
