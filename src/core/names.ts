/**
 * Names that end up inside firewall identifiers (nft set and table names, ipset names), one rule
 * each: config refuses what breaks them, the control protocol validates requests with them, and
 * the actions check again before a name reaches argv. All unquoted-safe in nft and ipset, so no
 * name ever needs escaping in a script.
 */

/** A jail names its sets (`mj-<jail>-v4-net` and the like: ipset allows 31 characters). */
export const JAIL_NAME = /^[a-z][a-z0-9_]{0,23}$/;
export const JAIL_NAME_RULE = 'jail names are lowercase letters, digits and _ (they name firewall sets), at most 24 characters';

/** The nftables table (and the iptables chain prefix) mailjail owns. */
export const TABLE_NAME = /^[a-z][a-z0-9_]{0,63}$/;
export const TABLE_NAME_RULE = 'table names are lowercase letters, digits and _, at most 64 characters';
