/** How strikes map to and from rows of the `strikes` table. */
import type { EventKind, Strike } from '../core/types';
import { keyOfIp } from './ip-key';

export const STRIKE_COLUMNS = 'ip, jail, time, event, weight, rule, user_hash, source, line, text';

export const INSERT_STRIKE = `INSERT INTO strikes (ip_key, ${STRIKE_COLUMNS})
  VALUES (@ipKey, @ip, @jail, @time, @event, @weight, @rule, @userHash, @source, @line, @text)`;

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

/** Named parameters for INSERT_STRIKE; absent optional fields become NULL. */
export function strikeParams(s: Strike): Record<string, unknown> {
  return {
    ipKey: keyOfIp(s.ip),
    ip: s.ip,
    jail: s.jail,
    time: s.time,
    event: s.event,
    weight: s.weight,
    rule: s.rule,
    userHash: s.userHash ?? null,
    source: s.source ?? null,
    line: s.line ?? null,
    text: s.text ?? null,
  };
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
