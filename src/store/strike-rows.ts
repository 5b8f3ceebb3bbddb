/** How strikes map to and from rows of the `strikes` table. */
import type { EventKind, Strike } from '../core/types';
import { keyOfIp } from './ip-key';

export const STRIKE_COLUMNS = 'ip, jail, time, event, weight, rule, user_hash, source, line, text';

/** Positional parameters (cheaper to bind than named ones: a flood writes one row per line). */
export const INSERT_STRIKE = `INSERT INTO strikes (ip_key, ${STRIKE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

interface RawStrike {
  ip: string;
  jail: string;
  time: number;
  event: string;
  weight: number;
  rule: string;
  user_hash: string | null;
  source: string | null;
  line: number | null;
  text: string | null;
}

/** INSERT_STRIKE's parameters, in its column order; absent optional fields become NULL. */
export function strikeParams(s: Strike): unknown[] {
  return [keyOfIp(s.ip), s.ip, s.jail, s.time, s.event, s.weight, s.rule, s.userHash ?? null, s.source ?? null, s.line ?? null, s.text ?? null];
}

/** A row back as a Strike, leaving out the optional fields that were not stored. */
export function toStrike(raw: unknown): Strike {
  const r = raw as RawStrike;
  const s: Strike = {
    ip: r.ip,
    jail: r.jail,
    time: r.time,
    event: r.event as EventKind,
    weight: r.weight,
    rule: r.rule,
  };
  if (r.user_hash !== null) s.userHash = r.user_hash;
  if (r.source !== null) s.source = r.source;
  if (r.line !== null) s.line = r.line;
  if (r.text !== null) s.text = r.text;
  return s;
}
