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
import { chooseSource, noFileMatches } from './choose-sources';

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
  const road = { store, jails };
  const pending = new WeakMap<SourceBatch, { steps: BatchSteps; held?: PreparedBatch }>();
  const onBatch = (batch: SourceBatch) => {
    let work = pending.get(batch);
    if (!work) {
      work = { steps: stepsOf(rt, batch, log, now()) };
      pending.set(batch, work);
    }
    for (let step = work.held ?? work.steps.next(); step; step = work.steps.next()) {
      work.held = step;
      commitBatch(rt, step, road, log, () => (work.held = undefined));
    }
    pending.delete(batch);
  };
  const sourceLog = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, ctx?: object) => log[level]({ jail: jail.name, ...ctx }, msg);
  const choices = await Promise.all(jail.sources.map(chooseSource));
  for (const c of choices) {
    if (c.note) log.info({ jail: jail.name }, c.note);
    if (c.problem) log.warn({ jail: jail.name }, `source missing or unreadable: ${c.problem}`);
  }
  const sources: Source[] = choices.map(({ source: spec }) => {
    if ('file' in spec) {
      const pattern = resolve(spec.file);
      return withMissingFileError(pattern, createFileSource({
        id: `${jail.name}:${pattern}`,
        patterns: [pattern],
        getCursor: (key) => store.getCursor<FileCursor>(key),
        onBatch,
        startAt,
        log: sourceLog,
      }));
    }
    const { matches = [], directory } = spec.journal;
    return createJournalSource({
      // the system journal's id is as it always was, so its saved cursor still applies
      id: `${jail.name}:journal:${directory === undefined ? '' : `${resolve(directory)}:`}${matches.join(',')}`,
      matches,
      directory: directory === undefined ? undefined : resolve(directory),
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

/** `status` shows a file source that follows no file as an error: a jail watching nothing must be seen. */
function withMissingFileError(pattern: string, source: Source): Source {
  return {
    id: source.id,
    start: () => source.start(),
    stop: () => source.stop(),
    status() {
      const s = source.status();
      return s.error === undefined && s.files.length === 0 ? { ...s, error: noFileMatches(pattern) } : s;
    },
  };
}
