/**
 * The hot path of the daemon: one source batch -> matched failures -> decisions, then one SQLite
 * transaction holding the strikes, the bans AND the source's new position. Because the position
 * commits with what was derived from the lines, a crash (kill -9) either keeps both or neither:
 * no line is counted twice, none is skipped. The caller puts the returned bans into the kernel
 * right after the commit.
 */
import type { Ban, Strike } from '../core/types';
import type { SourceBatch } from '../sources/source';
import type { Store } from '../store/store';
import type { JailRuntime } from './jail-runtime';
import type { Logger } from './logger';

/** What one batch yields, decided once; committing it may be tried again (a full disk). */
export interface PreparedBatch {
  strikes: Strike[];
  bans: Ban[];
  cursor: SourceBatch['cursor'];
  lines: number;
  startedAt: number;
}

/**
 * Matches a batch and feeds its failures to the jail engine (in memory, once). Issue 17 point 2:
 * a batch whose commit fails is offered again by its source; it is committed again from here,
 * never matched again, so the engine counts each line once however many attempts the disk needs.
 */
export function prepareBatch(rt: JailRuntime, batch: SourceBatch, log: Logger, now: number): PreparedBatch {
  const startedAt = Date.now();
  const parts = rt.parts;
  const strikes: Strike[] = [];
  const bans: Ban[] = [];
  // every line read, delivered or not (a file source skips lines without a keyword of the jail)
  const lines = batch.lines ?? batch.events.length;
  if (parts) {
    for (const ev of batch.events) {
      let failure;
      try {
        failure = parts.matcher.match(ev, now);
      } catch (e) {
        // a filter bug must not stop the jail: log the line's place and go on
        log.error({ jail: rt.name, source: ev.file ?? batch.source, line: ev.line, err: (e as Error).message }, 'matching a line failed');
        continue;
      }
      if (!failure) continue;
      rt.counters.failures++;
      if (rt.replayCutoff !== undefined && failure.time < rt.replayCutoff) continue;
      const outcome = parts.engine.onFailure(failure, now, { source: ev.file ?? batch.source, line: ev.line, text: ev.text });
      if (outcome.strike) strikes.push(outcome.strike);
      for (const ban of outcome.bans) bans.push(ban);
    }
    rt.counters.lines += lines;
    if (lines > 0) rt.counters.lastLineAt = now;
  }
  return { strikes, bans, cursor: batch.cursor, lines, startedAt };
}

/** One transaction: strikes, bans and the source's position, all or none. Throws when the store fails. Returns the bans to enforce. */
export function commitBatch(rt: JailRuntime, prepared: PreparedBatch, store: Store, log: Logger): Ban[] {
  const { strikes, bans, cursor, lines, startedAt } = prepared;
  const committingAt = Date.now();
  store.transaction(() => {
    // in the same transaction: a decision is published (fleet) if and only if it is stored
    if (rt.share && strikes.length + bans.length > 0) rt.share(strikes, bans);
    if (strikes.length > 0) store.addStrikes(strikes);
    if (bans.length > 0) store.recordBans(bans);
    if (cursor) store.setCursor(cursor.key, cursor.value);
  });
  log.debug({ jail: rt.name, lines, strikes: strikes.length, bans: bans.length, ms: Date.now() - startedAt, dbMs: Date.now() - committingAt }, 'batch processed');
  rt.counters.strikes += strikes.length;
  rt.counters.bans += bans.length;
  for (const ban of bans) log.info({ jail: ban.jail, ip: ban.ip, reason: ban.reason, until: new Date(ban.until).toISOString(), count: ban.count }, 'ban');
  return bans;
}
