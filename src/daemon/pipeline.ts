/**
 * The hot path of the daemon: one source batch -> matched failures -> decisions, then one SQLite
 * transaction holding the strikes, the bans AND the source's new position. Because the position
 * commits with what was derived from the lines, a crash (kill -9) either keeps both or neither:
 * no line is counted twice, none is skipped. The bans go into the kernel right after the commit.
 */
import type { Ban, Failure, Strike } from '../core/types';
import type { Evidence } from '../decide/jail-engine';
import { ChunkReader } from '../match/match-chunk';
import type { SourceBatch } from '../sources/source';
import { commitDecided, type BanRoad } from './commit-bans';
import type { JailRuntime } from './jail-runtime';
import type { Logger } from './logger';

/**
 * Failures committed at most per transaction (a file chunk of a flood holds thousands): the
 * firewall applies one step's bans (in its own process, on another core) while the next step
 * is matched, instead of after one long stall. A commit that bans nothing costs ~15 µs.
 */
const FAILURES_PER_COMMIT = 500;

/** What one step of a batch yields, decided once; committing it may be tried again (a full disk). */
export interface PreparedBatch {
  strikes: Strike[];
  bans: Ban[];
  cursor: SourceBatch['cursor'];
  lines: number;
  startedAt: number;
}

/**
 * A batch's matching, in commit steps: a journal batch is one step, a file chunk one step per
 * FAILURES_PER_COMMIT failures. Issue 17 point 2: a step whose commit fails is committed again
 * from here, never matched again, so the engine counts each line once however many attempts
 * the disk needs.
 */
export interface BatchSteps {
  /** The next step, its failures fed to the jail engine (in memory); null when the batch is done. */
  next(): PreparedBatch | null;
}

export function stepsOf(rt: JailRuntime, batch: SourceBatch, log: Logger, now: number): BatchSteps {
  const parts = rt.parts;
  const { chunk } = batch;
  if (!chunk || !parts) {
    let done = false;
    return { next: () => (done ? null : ((done = true), prepareEvents(rt, batch, log, now))) };
  }
  const reader = new ChunkReader(parts.matcher, chunk.bytes, { source: batch.source, file: chunk.file, firstLine: chunk.firstLine, referenceTime: now, maxLineBytes: chunk.maxLineBytes });
  let done = false;
  return {
    next() {
      if (done) return null;
      const startedAt = Date.now();
      const linesBefore = reader.lines;
      const nearMissesBefore = parts.matcher.nearMisses;
      const strikes: Strike[] = [];
      const bans: Ban[] = [];
      reader.step(
        (failure, line, text) => decide(rt, failure, { source: chunk.file, line, text }, now, strikes, bans),
        FAILURES_PER_COMMIT,
        (line, e) => log.error({ jail: rt.name, source: chunk.file, line, err: (e as Error).message }, 'matching a line failed'),
      );
      done = reader.done;
      const lines = reader.lines - linesBefore;
      countLines(rt, lines, now);
      const cursor = chunk.cursorAt(reader.pos, reader.lines);
      // plain counters, once per step: metrics cost nothing per line
      rt.meter.nearMisses += parts.matcher.nearMisses - nearMissesBefore;
      rt.meter.source(batch.source).read(lines, cursor, () => 0, Date.now());
      return { strikes, bans, cursor, lines, startedAt };
    },
  };
}

/** A batch of lines (the journal's): each decoded already, each matched. */
function prepareEvents(rt: JailRuntime, batch: SourceBatch, log: Logger, now: number): PreparedBatch {
  const startedAt = Date.now();
  const parts = rt.parts;
  const strikes: Strike[] = [];
  const bans: Ban[] = [];
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
      if (failure) decide(rt, failure, { source: ev.file ?? batch.source, line: ev.line, text: ev.text }, now, strikes, bans);
    }
    countLines(rt, lines, now);
    rt.meter.nearMisses += parts.matcher.nearMisses - nearMissesBefore;
  }
  meter.source(batch.source).read(lines, batch.cursor, () => textBytes(batch), Date.now());
  return { strikes, bans, cursor: batch.cursor, lines, startedAt };
}

/** One failure to the jail engine: the strike and bans it makes join the step's. */
function decide(rt: JailRuntime, failure: Failure, evidence: Evidence, now: number, strikes: Strike[], bans: Ban[]): void {
  rt.counters.failures++;
  const meter = rt.meter;
  meter.matched(failure.filter, failure.event);
  if (rt.replayCutoff !== undefined && failure.time < rt.replayCutoff) return;
  const outcome = rt.parts!.engine.onFailure(failure, now, evidence);
  if (outcome.strike) strikes.push(outcome.strike);
  if (outcome.forgiven) meter.forgiven++;
  if (outcome.spared) meter.spared++;
  for (const ban of outcome.bans) {
    bans.push(ban);
    meter.noteLineTime(ban, failure.time);
  }
}

function countLines(rt: JailRuntime, lines: number, now: number): void {
  rt.counters.lines += lines;
  if (lines > 0) rt.counters.lastLineAt = now;
}

/**
 * One step's strikes, bans and the source's position, all or none, through the daemon's one road
 * for a made ban (commit-bans.ts): stored with its fleet outbox row, counted, then into the kernel.
 * Throws when the store fails. `onStored` runs once the step is in the database (the caller stops
 * holding it for a retry).
 */
export function commitBatch(rt: JailRuntime, prepared: PreparedBatch, road: BanRoad, log: Logger, onStored?: () => void): void {
  const { strikes, bans, lines, startedAt } = prepared;
  const committingAt = Date.now();
  commitDecided(road, rt, prepared, 'log', () => {
    onStored?.();
    log.debug({ jail: rt.name, lines, strikes: strikes.length, bans: bans.length, ms: Date.now() - startedAt, dbMs: Date.now() - committingAt }, 'batch processed');
    if (strikes.length > 0 && log.isLevelEnabled('debug')) {
      for (const st of strikes) log.debug({ jail: st.jail, ip: st.ip, event: st.event, weight: st.weight, rule: st.rule }, 'strike');
    }
  });
}

/** Bytes of a batch without a file position (a journal source): its lines and their newlines. */
function textBytes(batch: SourceBatch): number {
  let n = 0;
  for (const ev of batch.events) n += Buffer.byteLength(ev.text) + 1;
  return n;
}
