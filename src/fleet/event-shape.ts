/**
 * The shape a signed record must have before anything in it is used. A signed event is still
 * checked field by field (one bad address must not reach a firewall or stop the reader for good),
 * and strictly: unknown keys, wrong arity or types drop the record. Written out by hand rather than
 * with zod: during a flood every ban of every other node passes here, and zod's generic tuple
 * parsing cost more per ban than storing it (bench suite "fleet").
 */
import { JAIL_NAME } from '../core/names';
import { parseCidr } from '../core/ip';
import { EVENT_KINDS } from '../core/types';

const KINDS: ReadonlySet<unknown> = new Set(EVENT_KINDS);
const EVENT_KEYS: ReadonlySet<string> = new Set(['v', 'node', 'inc', 'seq', 't', 'strikes', 'bans', 'unbans']);

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isName = (x: unknown): x is string => typeof x === 'string' && x.length > 0;
const isJail = (x: unknown): boolean => typeof x === 'string' && JAIL_NAME.test(x);
const isTarget = (x: unknown): boolean => typeof x === 'string' && parseCidr(x) !== null;
const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** [jail, ip, time, event, weight, userHash] */
function isWireStrike(x: unknown): boolean {
  return Array.isArray(x) && x.length === 6 && isJail(x[0]) && isTarget(x[1]) && isNum(x[2]) && KINDS.has(x[3]) && isNum(x[4]) && (x[5] === null || typeof x[5] === 'string');
}

/** [jail, ip, since, until (null = never ends), reason, count] */
function isWireBan(x: unknown): boolean {
  return Array.isArray(x) && x.length === 6 && isJail(x[0]) && isTarget(x[1]) && isNum(x[2]) && (x[3] === null || isNum(x[3])) && typeof x[4] === 'string' && Number.isInteger(x[5]) && (x[5] as number) >= 0;
}

function isUnban(x: unknown): boolean {
  if (!isRecord(x) || Object.keys(x).length !== 3) return false;
  const { ip, jail, lifted } = x;
  return (ip === '*' || isTarget(ip)) && (jail === null || isJail(jail)) && Array.isArray(lifted) && lifted.every((k) => typeof k === 'string');
}

const isListOf = (x: unknown, item: (e: unknown) => boolean): boolean => x === undefined || (Array.isArray(x) && x.every(item));

/** A FleetEvent (fleet-event.ts), and nothing more. */
export function isEventShape(x: unknown): boolean {
  if (!isRecord(x)) return false;
  for (const key of Object.keys(x)) if (!EVENT_KEYS.has(key)) return false;
  return (
    x.v === 1 &&
    isName(x.node) &&
    isName(x.inc) &&
    Number.isInteger(x.seq) &&
    (x.seq as number) > 0 &&
    isNum(x.t) &&
    isListOf(x.strikes, isWireStrike) &&
    isListOf(x.bans, isWireBan) &&
    isListOf(x.unbans, isUnban)
  );
}

/** One active ban as kept for resyncs, `{ node, ban }`: the ban and the node that made it. */
export function isActiveShape(x: unknown): boolean {
  return isRecord(x) && Object.keys(x).length === 2 && isName(x.node) && isWireBan(x.ban);
}
