/**
 * Temporary (4xx) rejects (issue 11 point 3), a week of simulated time through the real filter and
 * the real engine (`replay`, the log's own timestamps as the clock), with the shipped postfix jail
 * and its defaults (temp-reject: weight 0.25 in a 4-minute window, maxRetry 5):
 *  - a legitimate MTA retrying a deferred message on RFC 5321's schedule (every 5 to 30 minutes,
 *    for a week), each visit refused for up to 19 recipients, is never banned, whatever 4xx it gets;
 *  - a bot hammering (one refused RCPT every 10 s) is banned within its first 20 lines;
 *  - greylisting is no event at all, however often it happens.
 * The logs are written here (deterministic, no randomness) rather than committed: a week of retries
 * is 100,000 lines.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config';
import type { Ban } from '../../src/core/types';
import { replay } from '../../src/daemon/replay';

const T0 = Date.UTC(2026, 10, 23, 0, 0, 0);
const MINUTE = 60_000;
const WEEK = 7 * 24 * 60 * MINUTE;
const stamp = (t: number) => new Date(t).toISOString().replace('Z', '+00:00');

/** What each 4xx looks like in Postfix's log, for client `ip` saying `helo`. */
const REPLIES: Record<string, (ip: string, rcpt: string) => string> = {
  'helo-host-not-found': (_ip, rcpt) => `450 4.7.1 <mta.broken.example>: Helo command rejected: Host not found; from=<a@partner.example> to=<${rcpt}> proto=ESMTP helo=<mta.broken.example>`,
  'no-reverse-dns': (ip, rcpt) => `450 4.7.1 Client host rejected: cannot find your hostname, [${ip}]; from=<a@partner.example> to=<${rcpt}> proto=ESMTP helo=<mta.partner.example>`,
  'relay-deferred': (_ip, rcpt) => `454 4.7.1 <${rcpt}>: Relay access denied; from=<a@partner.example> to=<${rcpt}> proto=ESMTP helo=<mta.partner.example>`,
  'rbl-4xx': (ip, rcpt) => `450 4.7.1 Service unavailable; Client host [${ip}] blocked using bl.example.net; from=<a@partner.example> to=<${rcpt}> proto=ESMTP helo=<mta.partner.example>`,
  greylisted: (_ip, rcpt) => `450 4.2.0 <${rcpt}>: Recipient address rejected: Greylisted, see https://postgrey.example/help; from=<a@partner.example> to=<${rcpt}> proto=ESMTP helo=<mta.partner.example>`,
};
const KINDS = ['helo-host-not-found', 'no-reverse-dns', 'relay-deferred', 'rbl-4xx'];

let pid = 3000;
/** One SMTP visit: the same smtpd process refuses each recipient in turn, a second apart at most. */
function visit(t: number, ip: string, kind: string, recipients: number): string[] {
  const p = pid++;
  return Array.from({ length: recipients }, (_, i) => `${stamp(t + i * 50)} mx postfix/smtpd[${p}]: NOQUEUE: reject: RCPT from unknown[${ip}]: ${REPLIES[kind](ip, `user${i}@example.com`)}`);
}

/** Retry gaps a real queue uses: Postfix's 5 minutes, then longer ones up to 30 (Exim's and Sendmail's). */
const GAPS_MIN = [5, 5, 7, 10, 5, 15, 20, 30, 5, 12, 25, 30];

function runJail(lines: string[], jail = 'postfix'): Ban[] {
  const dir = mkdtempSync(join(tmpdir(), 'mj-temp-reject-'));
  try {
    mkdirSync(join(dir, 'jails.d'));
    writeFileSync(join(dir, 'jails.d', '50-jail.yaml'), `jails:\n  ${jail}:\n    enabled: true\n`);
    const log = join(dir, 'mail.log');
    writeFileSync(log, lines.join('\n') + '\n');
    const bans: Ban[] = [];
    replay(loadConfig(dir), { jails: [jail], files: [log] }, (b) => bans.push(b));
    return bans;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('temporary rejects through the postfix jail', () => {
  it('never bans a legitimate MTA retrying every 5 minutes for a week, 19 recipients refused each visit, whatever the 4xx', () => {
    const events: Array<{ t: number; lines: string[] }> = [];
    KINDS.forEach((kind, k) => {
      for (let t = T0 + k * 1000; t < T0 + WEEK; t += 5 * MINUTE) events.push({ t, lines: visit(t, `198.51.100.${60 + k}`, kind, 19) });
    });
    const lines = events.sort((a, b) => a.t - b.t).flatMap((e) => e.lines);
    expect(lines.length).toBeGreaterThan(4 * 2000 * 19);
    expect(runJail(lines)).toEqual([]);
  });

  it('never bans a legitimate MTA whose retries come 5 to 30 minutes apart for a week', () => {
    const lines: string[] = [];
    for (let t = T0, i = 0; t < T0 + WEEK; t += GAPS_MIN[i++ % GAPS_MIN.length] * MINUTE) lines.push(...visit(t, '198.51.100.70', KINDS[i % KINDS.length], 19));
    expect(runJail(lines)).toEqual([]);
  });

  it('never counts greylisting, even 500 greylisted recipients a minute apart', () => {
    const lines: string[] = [];
    for (let i = 0; i < 50; i++) lines.push(...visit(T0 + i * MINUTE, '198.51.100.71', 'greylisted', 10));
    expect(runJail(lines)).toEqual([]);
  });

  it.each(KINDS)('bans a bot hammering with %s (one refused RCPT every 10 s) by its 20th line, for threshold', (kind) => {
    const lines: string[] = [];
    for (let i = 0; i < 60; i++) lines.push(...visit(T0 + i * 10_000, '192.0.2.150', kind, 1));
    const bans = runJail(lines);
    expect(bans.map((b) => [b.ip, b.reason])).toEqual([['192.0.2.150', 'threshold']]);
    expect(bans[0].since).toBe(T0 + 19 * 10_000);
  });

  it('bans a bot that comes back with one more recipient than a visit may hold (20 in one visit)', () => {
    const bans = runJail(visit(T0, '192.0.2.151', 'relay-deferred', 20));
    expect(bans.map((b) => b.ip)).toEqual(['192.0.2.151']);
  });
});

describe('temporary rejects through the exim jail', () => {
  const eximTime = (t: number) => new Date(t).toISOString().replace('T', ' ').slice(0, 19);
  const deferredRcpt = (t: number, ip: string, i: number) =>
    `${eximTime(t)} H=mta.partner.example [${ip}]:4${i % 10}000 F=<a@partner.example> temporarily rejected RCPT <user${i}@example.com>: sender verify defer`;

  it('never bans an MTA retrying every 5 minutes for a week, 19 deferred recipients a visit', () => {
    const lines: string[] = [];
    for (let t = T0; t < T0 + WEEK; t += 5 * MINUTE) for (let i = 0; i < 19; i++) lines.push(deferredRcpt(t + i * 50, '198.51.100.72', i));
    expect(runJail(lines, 'exim')).toEqual([]);
  });

  it('bans a bot hammering the connect ACL\'s rate limit (a connection every 10 s) by its 20th line', () => {
    const lines = Array.from({ length: 60 }, (_, i) => `${eximTime(T0 + i * 10_000)} H=[192.0.2.152]:5${i}00 temporarily rejected connection in "connect" ACL: "Host is ratelimited"`);
    const bans = runJail(lines, 'exim');
    expect(bans.map((b) => [b.ip, b.reason, b.since])).toEqual([['192.0.2.152', 'threshold', T0 + 19 * 10_000]]);
  });
});
