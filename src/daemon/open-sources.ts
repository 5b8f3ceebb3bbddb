/**
 * Opens a jail's sources and connects them to the pipeline. Source ids are `jail:pattern`, so a
 * cursor survives restarts and reordering of the config.
 */
import { resolve } from 'node:path';
import { createFileSource } from '../sources/file-source';
import { createJournalSource } from '../sources/journal-source';
import type { LineGate, Source, SourceBatch } from '../sources/source';
import type { FileCursor } from '../core/types';
import type { Store } from '../store/store';
import type { JailBans } from './jail-registry';
import type { JailRuntime } from './jail-runtime';
import type { Logger } from './logger';
import { commitBatch, prepareBatch, type PreparedBatch } from './pipeline';

export interface SourceDeps {
  store: Store;
  /** Where the bans a batch decides go (into the kernel, and to the registry's listeners). */
  jails: JailBans;
  log: Logger;
  now: () => number;
}

export async function openSources(rt: JailRuntime, { store, jails, log, now }: SourceDeps): Promise<Source[]> {
  const jail = rt.config!;
  const firstStart = store.getMeta(`started:${jail.name}`) === undefined;
  let startAt: 'end' | 'beginning' = jail.startAt === 'beginning' ? 'beginning' : 'end';
  if (typeof jail.startAt === 'object' && firstStart) {
    // replay the last N minutes: read from the start, count only lines newer than the cutoff
    startAt = 'beginning';
    rt.replayCutoff = now() - jail.startAt.replayMs;
  }
  // A batch the store cannot commit (a full disk) throws back to its source, which holds its
  // reading and offers the same batch again (sources/batch-delivery.ts); it is matched only once.
  const prepared = new WeakMap<SourceBatch, PreparedBatch>();
  const onBatch = (batch: SourceBatch) => {
    let p = prepared.get(batch);
    if (!p) {
      p = prepareBatch(rt, batch, log, now());
      prepared.set(batch, p);
    }
    const bans = commitBatch(rt, p, store, log);
    prepared.delete(batch);
    jails.enforce(rt, bans, 'log');
  };
  // A line holding none of the jail's keywords never matches (Matcher.match skips it before any
  // regex), so a file source need not decode it: the catch-up of a big log then costs about what
  // `mailjail check` does (issue 7). Asked per read through rt.parts, which a reload replaces.
  const gate = (): LineGate | undefined => {
    const matcher = rt.parts?.matcher;
    return matcher && matcher.keywords.length > 0 ? matcher.scanner : undefined;
  };
  const sourceLog = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, ctx?: object) => log[level]({ jail: jail.name, ...ctx }, msg);
  const sources: Source[] = jail.sources.map((spec) => {
    if ('file' in spec) {
      const pattern = resolve(spec.file);
      return createFileSource({
        id: `${jail.name}:${pattern}`,
        patterns: [pattern],
        getCursor: (key) => store.getCursor<FileCursor>(key),
        onBatch,
        gate,
        startAt,
        log: sourceLog,
      });
    }
    return createJournalSource({
      id: `${jail.name}:journal:${spec.journal.matches.join(',')}`,
      matches: spec.journal.matches,
      getCursor: (key) => store.getCursor<string>(key),
      onBatch,
      log: sourceLog,
    });
  });
  for (const s of sources) {
    try {
      await s.start();
    } catch (e) {
      log.error({ jail: jail.name, source: s.id, err: (e as Error).message }, 'source failed to start; the jail goes on with its other sources');
    }
  }
  store.setMeta(`started:${jail.name}`, String(now()));
  return sources;
}
