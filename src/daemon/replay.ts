/**
 * `mailjail replay`: whole jails over old logs, with the logs' own timestamps as the clock and no
 * firewall. Each file goes to the jails whose sources match it (by path, or by name once rotation
 * suffixes such as .1 or -20240101 are taken off); with named jails, those read every file.
 */
import { basename, resolve } from 'node:path';
import picomatch from 'picomatch';
import type { LoadedConfig } from '../config/load-config';
import type { JailConfig } from '../config/resolve-jail';
import { MailjailError } from '../core/errors';
import type { Ban, EventKind } from '../core/types';
import { MemoryBanHistory } from '../decide/ban-history';
import { matchChunk } from '../match/match-chunk';
import { readLogFile } from '../sources/read-chunks';
import { buildJailParts } from './jail-parts';
import { createUserHasher, REPLAY_HASH_KEY } from './user-hash';

export interface ReplaySummary {
  lines: number;
  failures: Partial<Record<EventKind, number>>;
  bans: number;
  /** Files no jail read (no source matched and no jail named). */
  unmatchedFiles: string[];
}

export interface ReplayOptions {
  jails?: string[];
  files: string[];
  /** Addresses treated as the host's own (default: none, since the logs come from elsewhere). */
  own?: string[];
}

export function replay(config: LoadedConfig, options: ReplayOptions, onBan: (ban: Ban) => void): ReplaySummary {
  const files = options.files.map((f) => resolve(f));
  const jails = pickJails(config, options.jails);
  const summary: ReplaySummary = { lines: 0, failures: {}, bans: 0, unmatchedFiles: [] };
  const read = new Set<string>();
  const hashUser = createUserHasher(REPLAY_HASH_KEY);
  for (const jail of jails) {
    const mine = options.jails?.length ? files : files.filter((f) => jailReads(jail, f));
    if (mine.length === 0) continue;
    const parts = buildJailParts(config, jail, new MemoryBanHistory(), hashUser, options.own ?? []);
    for (const file of mine) {
      read.add(file);
      const ctx = { source: jail.name, file, firstLine: 1, referenceTime: Date.now() };
      readLogFile(
        file,
        (chunk) => {
          ctx.firstLine += matchChunk(parts.matcher, chunk, ctx, (f, line, text) => {
            summary.failures[f.event] = (summary.failures[f.event] ?? 0) + 1;
            const outcome = parts.engine.onFailure(f, f.time, { source: file, line, text });
            for (const ban of outcome.bans) {
              summary.bans++;
              onBan(ban);
            }
          });
        },
        (referenceTime) => {
          ctx.referenceTime = referenceTime;
        },
      );
      summary.lines += ctx.firstLine - 1;
    }
  }
  summary.unmatchedFiles = files.filter((f) => !read.has(f));
  return summary;
}

function pickJails(config: LoadedConfig, names: string[] | undefined): JailConfig[] {
  if (!names || names.length === 0) return [...config.jails.values()].filter((j) => j.enabled);
  return names.map((n) => {
    const jail = config.jails.get(n);
    if (!jail) throw new MailjailError('USAGE', `unknown jail "${n}" (known: ${[...config.jails.keys()].join(', ')})`);
    return jail;
  });
}

/** Rotation suffixes an admin's old log copies carry: mail.log.1, mail.log.2.gz, mainlog-20240101. */
const ROTATION_SUFFIX = /(?:\.\d+)?(?:\.gz)?$|-\d{8}$/;

export function jailReads(jail: JailConfig, file: string): boolean {
  for (const source of jail.sources) {
    if (!('file' in source)) continue;
    if (picomatch(source.file)(file)) return true;
    const wanted = picomatch(basename(source.file));
    if (wanted(basename(file)) || wanted(basename(file).replace(ROTATION_SUFFIX, ''))) return true;
  }
  return false;
}
