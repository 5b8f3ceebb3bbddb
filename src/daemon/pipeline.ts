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
  // plain counters, added to once per batch or per failure: metrics cost nothing per line
  const meter = rt.meter;
  if (parts) {
    const nearMissesBefore = parts.matcher.nearMisses;
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
      meter.matched(failure.filter, failure.event);
      if (rt.replayCutoff !== undefined && failure.time < rt.replayCutoff) continue;
      const outcome = parts.engine.onFailure(failure, now, { source: ev.file ?? batch.source, line: ev.line, text: ev.text });
      if (outcome.strike) strikes.push(outcome.strike);
      if (outcome.forgiven) meter.forgiven++;
      if (outcome.spared) meter.spared++;
      for (const ban of outcome.bans) {
        bans.push(ban);
        meter.noteLineTime(ban, failure.time);
      }
    }
    rt.counters.lines += lines;
    if (lines > 0) rt.counters.lastLineAt = now;
    meter.nearMisses += parts.matcher.nearMisses - nearMissesBefore;
  }
  meter.source(batch.source).read(lines, batch.cursor, () => textBytes(batch), Date.now());
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
  for (const strike of strikes) rt.meter.struck(strike.event);
  if (strikes.length > 0 && log.isLevelEnabled('debug')) {
    for (const st of strikes) log.debug({ jail: st.jail, ip: st.ip, event: st.event, weight: st.weight, rule: st.rule }, 'strike');
  }
  // the bans are logged once, with who asked, where they enter the kernel (daemon/ban-log.ts)
  return bans;
}

/** Bytes of a batch without a file position (a journal source): its lines and their newlines. */
function textBytes(batch: SourceBatch): number {
  let n = 0;
  for (const ev of batch.events) n += Buffer.byteLength(ev.text) + 1;
  return n;
}
