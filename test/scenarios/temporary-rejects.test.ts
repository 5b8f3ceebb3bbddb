/**
 * Temporary (4xx) rejects (issue 11 point 3), a week of simulated time through the real filter and
 * the real engine (`replay`, the log's own timestamps as the clock), with the shipped postfix and
 * exim jails and their defaults (temp-reject: weight 0.25 in a 4-minute window, maxRetry 5). A
 * temporary reject counts once per SMTP visit, whatever the visit's number of refused recipients:
 *  - a partner MTA grouping 50 recipients per message (Postfix's default_destination_recipient_limit),
 *    deferred for all of them and retrying every 5 to 30 minutes for a week, is never banned,
 *    whatever 4xx it gets, through Postfix and through Exim (with and without `+pid`);
 *  - a bot hammering (one refused RCPT every 10 s, each in a new visit) is banned at its 20th visit,
 *    also when Postfix hands each of its sessions to the same smtpd process (one pid);
 *  - greylisting is no event at all, however often it happens.
 * The logs are written here (deterministic, no randomness) rather than committed: a week of retries
 * is 100,000s of lines.
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

let nextPid = 3000;
/**
 * One SMTP session as Postfix logs it: connect, each recipient refused in turn (50 ms apart), and
 * the disconnect summary. `pid` is the smtpd process: master hands an idle one to the next client,
 * so consecutive sessions often share it. smtpd_hard_error_limit (20 by default) counts refused
 * recipients: at the limit smtpd answers 421, logs `too many errors after RCPT` and hangs up.
 */
function visit(t: number, ip: string, kind: string, recipients: number, pid = nextPid++, hardErrorLimit = 20): string[] {
  const head = `mx postfix/smtpd[${pid}]:`;
  const refused = Math.min(recipients, hardErrorLimit);
  const cut = recipients > hardErrorLimit;
  const end = t + refused * 50;
  return [
    `${stamp(t)} ${head} connect from unknown[${ip}]`,
    ...Array.from({ length: refused }, (_, i) => `${stamp(t + i * 50)} ${head} NOQUEUE: reject: RCPT from unknown[${ip}]: ${REPLIES[kind](ip, `user${i}@example.com`)}`),
    ...(cut ? [`${stamp(end)} ${head} NOQUEUE: too many errors after RCPT from unknown[${ip}]`] : []),
    `${stamp(end)} ${head} disconnect from unknown[${ip}] ehlo=1 mail=1 rcpt=0/${refused}${cut ? '' : ' quit=1'} commands=${cut ? 2 : 3}/${refused + (cut ? 2 : 3)}`,
  ];
}

/** Retry gaps a real queue uses: Postfix's 5 minutes, then longer ones up to 30 (Exim's and Sendmail's). */
const GAPS_MIN = [5, 5, 7, 10, 5, 15, 20, 30, 5, 12, 25, 30];

/** The start of every retry of a message deferred at T0 + offset, on the schedule above, for a week. */
function retries(offset = 0): number[] {
  const out: number[] = [];
  for (let t = T0 + offset, i = 0; t < T0 + WEEK; t += GAPS_MIN[i++ % GAPS_MIN.length] * MINUTE) out.push(t);
  return out;
}

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
  it('never bans a partner MTA deferred for 50 recipients a visit, retrying every 5 minutes for a week, whatever the 4xx', () => {
    const events: Array<{ t: number; lines: string[] }> = [];
    KINDS.forEach((kind, k) => {
      // each partner's visits land in the same smtpd process, as on a quiet server
      for (let t = T0 + k * 5000; t < T0 + WEEK; t += 5 * MINUTE) events.push({ t, lines: visit(t, `198.51.100.${60 + k}`, kind, 50, 4000 + k) });
      // and one whose admin raised smtpd_hard_error_limit: all 50 refused in one session
      for (let t = T0 + k * 5000 + 2 * MINUTE; t < T0 + WEEK; t += 5 * MINUTE) events.push({ t, lines: visit(t, `198.51.100.${64 + k}`, kind, 50, 4010 + k, 100) });
    });
    const lines = events.sort((a, b) => a.t - b.t).flatMap((e) => e.lines);
    expect(lines.length).toBeGreaterThan(4 * 2000 * 70);
    expect(runJail(lines)).toEqual([]);
  });

  it('never bans a partner MTA deferred for 50 recipients a visit whose retries come 5 to 30 minutes apart for a week', () => {
    const lines = retries().flatMap((t, i) => visit(t, '198.51.100.70', KINDS[i % KINDS.length], 50));
    expect(runJail(lines)).toEqual([]);
  });

  it('never counts greylisting, even 500 greylisted recipients a minute apart', () => {
    const lines: string[] = [];
    for (let i = 0; i < 50; i++) lines.push(...visit(T0 + i * MINUTE, '198.51.100.71', 'greylisted', 10));
    expect(runJail(lines)).toEqual([]);
  });

  it.each(KINDS)('bans a bot hammering with %s (one refused RCPT every 10 s, each in a new session) at its 20th visit, for threshold', (kind) => {
    const lines: string[] = [];
    for (let i = 0; i < 60; i++) lines.push(...visit(T0 + i * 10_000, '192.0.2.150', kind, 1));
    const bans = runJail(lines);
    expect(bans.map((b) => [b.ip, b.reason])).toEqual([['192.0.2.150', 'threshold']]);
    expect(bans[0].since).toBe(T0 + 19 * 10_000);
  });

  it('counts each session of a bot that smtpd serves from one process (one pid), once however many recipients and anvil refusals it holds', () => {
    const lines: string[] = [];
    for (let i = 0; i < 30; i++) {
      const t = T0 + i * 10_000;
      const session = visit(t, '192.0.2.151', 'relay-deferred', 3, 4100);
      // anvil's recipient rate limit in the same session: the same visit, not another strike
      session.splice(-1, 0, `${stamp(t + 200)} mx postfix/smtpd[4100]: warning: Recipient address rate limit exceeded: 31 from unknown[192.0.2.151] for service smtp`);
      lines.push(...session);
    }
    const bans = runJail(lines);
    expect(bans.map((b) => [b.ip, b.reason, b.since])).toEqual([['192.0.2.151', 'threshold', T0 + 19 * 10_000]]);
  });

  it('counts each session of two bots taking turns in one smtpd process', () => {
    const lines: string[] = [];
    for (let i = 0; i < 60; i++) lines.push(...visit(T0 + i * 5000, i % 2 === 0 ? '192.0.2.152' : '192.0.2.153', 'rbl-4xx', 2, 4200));
    const bans = runJail(lines);
    // each bot's 20th session: bot A's at its 39th turn (index 38), bot B's at the 40th (index 39)
    expect(bans.map((b) => [b.ip, b.since])).toEqual([
      ['192.0.2.152', T0 + 38 * 5000],
      ['192.0.2.153', T0 + 39 * 5000],
    ]);
  });
});

describe('temporary rejects through the exim jail', () => {
  const eximTime = (t: number) => new Date(t).toISOString().replace('T', ' ').slice(0, 19);
  /** The ACL messages admins write for these 4xx (Exim logs the ACL's own text). */
  const EXIM_REPLIES: Record<string, (ip: string) => string> = {
    'helo-host-not-found': () => 'HELO name mta.broken.example: host not found, try again later',
    'no-reverse-dns': (ip) => `no reverse DNS for ${ip}, try again later`,
    'rbl-4xx': (ip) => `JunkMail deferred - ${ip} is listed in bl.example.net`,
    'callout-defer': () => 'Could not complete sender verify callout',
  };
  /**
   * One connection refused for `recipients` recipients, as Exim's mainlog writes it: with
   * log_selector +pid the child's `[pid]` (Exim forks one per connection) and `I=`, without it neither.
   */
  function eximVisit(t: number, ip: string, kind: string, recipients: number, pid?: number): string[] {
    const tag = pid === undefined ? '' : `[${pid}] `;
    const local = pid === undefined ? '' : ' I=[198.51.100.1]:25';
    const port = 40000 + (Math.floor(t / 1000) % 20000);
    return Array.from({ length: recipients }, (_, i) =>
      `${eximTime(t + i * 50)} ${tag}H=mta.partner.example [${ip}]:${port}${local} F=<a@partner.example> temporarily rejected RCPT <user${i}@example.com>: ${EXIM_REPLIES[kind](ip)}`);
  }
  const EXIM_KINDS = Object.keys(EXIM_REPLIES);

  it.each([
    ['without +pid', false],
    ['with +pid', true],
  ])('never bans a partner MTA deferred for 50 recipients a visit, retrying every 5 to 30 minutes for a week, whatever the 4xx (%s)', (_name, withPid) => {
    let pid = 20_000;
    const events: Array<{ t: number; lines: string[] }> = [];
    EXIM_KINDS.forEach((kind, k) => {
      for (const t of retries(k * 5000)) events.push({ t, lines: eximVisit(t, `198.51.100.${80 + k}`, kind, 50, withPid ? pid++ : undefined) });
    });
    const lines = events.sort((a, b) => a.t - b.t).flatMap((e) => e.lines);
    expect(runJail(lines, 'exim')).toEqual([]);
  });

  it('never bans a partner MTA deferred every 5 minutes for a week, 50 recipients a visit (without +pid)', () => {
    const lines: string[] = [];
    for (let t = T0; t < T0 + WEEK; t += 5 * MINUTE) lines.push(...eximVisit(t, '198.51.100.72', 'callout-defer', 50));
    expect(runJail(lines, 'exim')).toEqual([]);
  });

  it('bans a bot refused every 10 s, a new Exim process each time (+pid), at its 20th visit', () => {
    const lines = Array.from({ length: 40 }, (_, i) => eximVisit(T0 + i * 10_000, '192.0.2.154', 'rbl-4xx', 3, 30_000 + i)).flat();
    const bans = runJail(lines, 'exim');
    expect(bans.map((b) => [b.ip, b.reason, b.since])).toEqual([['192.0.2.154', 'threshold', T0 + 19 * 10_000]]);
  });

  it('bans a bot reconnecting every 2 s without +pid: a visit is its refusals within 5 s, so its 20th visit starts at 19 x 6 s', () => {
    const lines = Array.from({ length: 100 }, (_, i) => eximVisit(T0 + i * 2000, '192.0.2.155', 'no-reverse-dns', 1)).flat();
    const bans = runJail(lines, 'exim');
    expect(bans.map((b) => [b.ip, b.reason, b.since])).toEqual([['192.0.2.155', 'threshold', T0 + 19 * 6000]]);
  });

  it('bans a bot hammering the connect ACL\'s rate limit (a connection every 10 s) by its 20th line', () => {
    const lines = Array.from({ length: 60 }, (_, i) => `${eximTime(T0 + i * 10_000)} H=[192.0.2.156]:5${i}00 temporarily rejected connection in "connect" ACL: "Host is ratelimited"`);
    const bans = runJail(lines, 'exim');
    expect(bans.map((b) => [b.ip, b.reason, b.since])).toEqual([['192.0.2.156', 'threshold', T0 + 19 * 10_000]]);
  });
});
