/**
 * Why a manual ban is refused, in words an admin can act on (issue 15): which rule protects the
 * target (loopback, one of this host's addresses, which ignoreIp entry), or that the prefix is
 * wider than `maxBanPrefix` allows without --force.
 */
import { MailjailError } from '../core/errors';
import { cidrOverlaps, NEVER_BANNABLE_RANGES, parseCidr, type Cidr } from '../core/ip';
import type { Guard } from '../decide/jail-engine';
import { ownAddresses } from './guard';

export interface ManualBanRules {
  guard: Guard;
  mainIgnoreIp: string[];
  jail?: { name: string; ignoreIp: string[] };
  maxBanPrefix: { ipv4: number; ipv6: number };
  force: boolean;
}

/** Throws USAGE naming the rule that refuses banning `target`; returns quietly when it may be banned. */
export function checkManualBan(target: string, rules: ManualBanRules): void {
  const c = parseCidr(target);
  if (!c) throw new MailjailError('USAGE', `not an IP address or CIDR: ${target}`);
  if (rules.guard.isProtected(target)) {
    throw new MailjailError('USAGE', `refusing to ban ${target}: ${protectionOf(c, rules) ?? 'it is protected from bans'}`);
  }
  const key = c.family === 4 ? 'ipv4' : 'ipv6';
  const limit = rules.maxBanPrefix[key];
  if (c.prefix < limit && !rules.force) {
    throw new MailjailError('USAGE', `refusing to ban ${target}: a /${c.prefix} is wider than maxBanPrefix.${key} (/${limit}); add --force to ban it anyway`);
  }
}

/** The first rule that protects `c`, as a phrase, or null when none of the named ones does. */
function protectionOf(c: Cidr, rules: ManualBanRules): string | null {
  const overlap = (entries: string[]) => entries.find((e) => {
    const other = parseCidr(e);
    return other !== null && other.family === c.family && cidrOverlaps(other, c);
  });
  const special = overlap(NEVER_BANNABLE_RANGES);
  if (special) return `it is or holds loopback, link-local or unspecified addresses (${special})`;
  const own = overlap(ownAddresses());
  if (own) return `it is or holds ${own}, one of this host's own addresses`;
  const main = overlap(rules.mainIgnoreIp);
  if (main) return `it overlaps ignoreIp entry ${main} of mailjail.yaml`;
  const jail = rules.jail && overlap(rules.jail.ignoreIp);
  if (jail) return `it overlaps ignoreIp entry ${jail} of jail ${rules.jail!.name}`;
  return null;
}
