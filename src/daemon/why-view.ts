/**
 * What `mailjail why` adds to the stored strikes (issue 15): whether the address is a customer
 * (it logged in within the jail's customers window) and which of its failures a later login
 * forgave, as the engine did when it forgot them.
 */
import type { Strike } from '../core/types';
import type { JailRules } from '../decide/jail-rules';

export interface CustomerView {
  jail: string;
  /** The offender that logged in: the address, or its IPv6 /64. */
  offender: string;
  lastLogin: string;
  /** The offender counts as a customer until then. */
  until: string;
}

export interface JailView {
  rules: JailRules;
  offenderOf(ip: string): string;
}

/** `strikes` newest first, as the store gives them; returns which were forgiven (by index) and the customers. */
export function readCustomers(strikes: Strike[], jails: Map<string, JailView>, now: number): { forgiven: boolean[]; customers: CustomerView[] } {
  const lastLogin = new Map<string, { jail: string; offender: string; time: number }>();
  const forgiven: boolean[] = new Array<boolean>(strikes.length).fill(false);
  // oldest first would need a copy; newest first, a login is seen before the failures it forgave
  strikes.forEach((s, i) => {
    const jail = jails.get(s.jail);
    if (!jail || !jail.rules.customers.enabled) return;
    const offender = jail.offenderOf(s.ip);
    const key = `${s.jail} ${offender}`;
    if (s.event === 'auth-success') {
      if (!lastLogin.has(key)) lastLogin.set(key, { jail: s.jail, offender, time: s.time });
      return;
    }
    forgiven[i] = jail.rules.customers.forgive && lastLogin.has(key);
  });
  const customers: CustomerView[] = [];
  for (const { jail, offender, time } of lastLogin.values()) {
    const until = time + jails.get(jail)!.rules.customers.windowMs;
    if (until > now) customers.push({ jail, offender, lastLogin: new Date(time).toISOString(), until: new Date(until).toISOString() });
  }
  return { forgiven, customers };
}
