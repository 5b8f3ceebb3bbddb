/**
 * Opens a jail's sources and connects them to the pipeline. Source ids are `jail:pattern`, so a
 * cursor survives restarts and reordering of the config.
 */
import { resolve } from 'node:path';
import { createFileSource } from '../sources/file-source';
import { createJournalSource } from '../sources/journal-source';
import type { Source, SourceBatch } from '../sources/source';
import type { FileCursor } from '../core/types';
import type { Store } from '../store/store';
import type { JailBans } from './jail-registry';
import type { JailRuntime } from './jail-runtime';
import type { Logger } from './logger';
import { commitBatch, stepsOf, type BatchSteps, type PreparedBatch } from './pipeline';

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
  // A step the store cannot commit (a full disk) throws back to the batch's source, which holds
  // its reading and offers the same batch again (sources/batch-delivery.ts): the batch goes on
  // from the step that failed, matched only once.
  const pending = new WeakMap<SourceBatch, { steps: BatchSteps; held?: PreparedBatch }>();
  const onBatch = (batch: SourceBatch) => {
    let work = pending.get(batch);
    if (!work) {
      work = { steps: stepsOf(rt, batch, log, now()) };
      pending.set(batch, work);
    }
    for (let step = work.held ?? work.steps.next(); step; step = work.steps.next()) {
      work.held = step;
      const bans = commitBatch(rt, step, store, log);
      work.held = undefined;
      jails.enforce(rt, bans, 'log');
    }
    pending.delete(batch);
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
