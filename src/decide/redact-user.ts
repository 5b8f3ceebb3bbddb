/**
 * User names in the stored log line (issue 15): a strike keeps its log line as evidence for
 * `mailjail why`, but the README promises that user names are kept only as keyed hashes. The name
 * a filter captured, and any `sasl_username=` field, become `<user:HASH8>` (the first 8 hex digits
 * of the strike's user hash): lines of one name still read alike, and the name is not stored.
 */
const SASL_USERNAME = /(sasl_username=)[^\s,;]+/g;
/** A captured name counts only where it stands as a field value, not inside another word. */
const BEFORE = `(?<=^|[\\s=<\\[(:"'])`;
const AFTER = `(?=$|[\\s>\\]),;:"'])`;

export function redactUser(text: string, user: string | undefined, userHash: string | undefined): string {
  const tag = `<user:${(userHash ?? 'unknown').slice(0, 8)}>`;
  let out = text.replace(SASL_USERNAME, `$1${tag}`);
  // The name's own regex only where the name stands in the line (most strike lines: SASL_USERNAME did it).
  if (user && out.includes(user)) out = out.replace(new RegExp(`${BEFORE}${user.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}${AFTER}`, 'g'), tag);
  return out;
}
