/**
 * `mailjail replay`: whole jails over old logs, with the logs' own timestamps as the clock and no
 * firewall. Each file goes to the jails whose sources match it (by path, or by name once rotation
 * suffixes such as .1 or -20240101 are taken off); with named jails, those read every file.
 * The jails share one ServerKnowledge as in the daemon: their failures are fed in log-time order
 * across jails, so a login in the Dovecot log makes a customer for the Postfix jail from then on.
 */
import { basename, resolve } from 'node:path';
import picomatch from 'picomatch';
import type { LoadedConfig } from '../config/load-config';
import type { JailConfig } from '../config/resolve-jail';
import { MailjailError } from '../core/errors';
import type { Ban, EventKind, Failure } from '../core/types';
import { MemoryBanHistory } from '../decide/ban-history';
import { matchChunk } from '../match/match-chunk';
import { readLogFile } from '../sources/read-chunks';
import { ServerKnowledge } from '../decide/server-knowledge';
import { buildJailParts, type JailParts } from './jail-parts';
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
  // The jails share customers and sprays as in the daemon, so they are fed together in log-time order.
  const shared = new ServerKnowledge();
  const feeds: JailFeed[] = [];
  for (const jail of jails) {
    const mine = options.jails?.length ? files : files.filter((f) => jailReads(jail, f));
    if (mine.length === 0) continue;
    const feed: JailFeed = { parts: buildJailParts(config, withStampSlack(jail), new MemoryBanHistory(), hashUser, options.own ?? [], shared), matched: [], next: 0 };
    feeds.push(feed);
    for (const file of mine) {
      read.add(file);
      summary.lines += readMatches(feed, file, summary);
    }
  }
  for (let feed = earliest(feeds); feed; feed = earliest(feeds)) {
    const { f, file, line } = feed.matched[feed.next++];
    for (const ban of feed.parts.engine.onFailure(f, f.time, { source: file, line }).bans) {
      summary.bans++;
      onBan(ban);
    }
  }
  // Spray bans still in their grace period when the logs end: no login came, so they are made.
  for (const feed of feeds) {
    for (const ban of feed.parts.engine.dueBans(Number.MAX_SAFE_INTEGER)) {
      summary.bans++;
      onBan(ban);
    }
  }
  summary.unmatchedFiles = files.filter((f) => !read.has(f));
  return summary;
}

/** Syslog stamps are whole seconds: a held spray ban is made from the second after its deadline. */
const STAMP_SLACK_MS = 1000;
const withStampSlack = (jail: JailConfig): JailConfig => ({ ...jail, rules: { ...jail.rules, spray: { ...jail.rules.spray, stampSlackMs: STAMP_SLACK_MS } } });

interface JailFeed {
  parts: JailParts;
  /** The jail's failures in the order its files gave them (kept: only matched lines, not the log). */
  matched: Array<{ f: Failure; file: string; line: number }>;
  next: number;
}

/** Matches one file for one jail; returns the lines read. */
function readMatches(feed: JailFeed, file: string, summary: ReplaySummary): number {
  const ctx = { source: feed.parts.config.name, file, firstLine: 1, referenceTime: Date.now() };
  readLogFile(
    file,
    (chunk) => {
      ctx.firstLine += matchChunk(feed.parts.matcher, chunk, ctx, (f, line) => {
        summary.failures[f.event] = (summary.failures[f.event] ?? 0) + 1;
        feed.matched.push({ f, file, line });
      });
    },
    (referenceTime) => {
      ctx.referenceTime = referenceTime;
    },
  );
  return ctx.firstLine - 1;
}

/** The jail whose next failure happened first (ties: the jail listed first); each jail keeps its own order. */
function earliest(feeds: JailFeed[]): JailFeed | undefined {
  let best: JailFeed | undefined;
  for (const feed of feeds) {
    if (feed.next >= feed.matched.length) continue;
    if (!best || feed.matched[feed.next].f.time < best.matched[best.next].f.time) best = feed;
  }
  return best;
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
