/**
 * Issue 14, done-when: a daemon with `metrics.listen` on, its firewall in a namespace made here
 * (the daemon itself runs in this process, so its listener is on the host's loopback), lines fed
 * to its log, and a real Prometheus scraping /metrics every second: lines, events and bans are
 * counted exactly and the line-to-kernel latency histogram is filled. Then the same counters
 * through `mailjail metrics` over the socket, and in the textfile written on stop.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Daemon } from '../../../src/daemon/daemon';
import { createLogger } from '../../../src/daemon/logger';
import { describeWithNetns } from '../../helpers/netns';
import { freePort, PROMETHEUS, startPrometheus, type Prometheus } from '../../helpers/prometheus';
import { CLI, DaemonHarness, runCommand, saslFailure, waitFor } from '../daemon/daemon-harness';

const describeIf = existsSync(PROMETHEUS) ? describeWithNetns(['nft']) : describe.skip;

describeIf('metrics read by a real Prometheus', () => {
  let port: number;
  let h: DaemonHarness;
  let daemon: Daemon | null = null;
  let prom: Prometheus | null = null;
  const logLines: Array<Record<string, unknown>> = [];
  const textfile = () => join(h.dir, 'node-exporter', 'mailjail.prom');
  const noise = [
    'Nov 23 10:00:00 mx postfix/smtpd[17]: connect from mail.example.net[198.51.100.7]',
    'Nov 23 10:00:00 mx postfix/smtpd[17]: disconnect from mail.example.net[198.51.100.7] ehlo=1 quit=1 commands=2',
    'Nov 23 10:00:01 mx postfix/qmgr[9]: 4B1C2: removed',
    'Nov 23 10:00:02 mx postfix/smtpd[18]: warning: hostname nothing.example does not resolve to address 198.51.100.8',
    'Nov 23 10:00:03 mx dovecot: imap-login: Login: user=<a@example.com>',
  ];
  const attackers = ['192.0.2.61', '192.0.2.62', '2001:db8:5::9'];

  beforeAll(async () => {
    port = await freePort();
    h = new DaemonHarness({ mainYaml: '' });
    h.writeConfig('');
    // mainYaml is fixed at construction; rewrite mailjail.yaml with the metrics keys
    const main = readFileSync(join(h.configDir, 'mailjail.yaml'), 'utf8');
    mkdirSync(join(h.dir, 'node-exporter'));
    writeFileSync(join(h.configDir, 'mailjail.yaml'), `${main}\nlogLevel: info\nmetrics: { listen: "127.0.0.1:${port}", textfile: ${textfile()} }\n`.replace('logLevel: debug\n', ''));
    await h.setup();
    const out = new Writable({
      write: (c, _e, cb) => {
        logLines.push(...String(c).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>));
        cb();
      },
    });
    daemon = await Daemon.start({ configDir: h.configDir, log: createLogger('info', out), wrap: h.ns.wrap });
    prom = await startPrometheus([`127.0.0.1:${port}`]);
  }, 60_000);

  afterAll(async () => {
    await daemon?.stop();
    await prom?.stop();
    await h.teardown();
  });

  it('counts lines, events and bans exactly, and fills the line-to-kernel latency histogram', async () => {
    const lines: string[] = [...noise];
    for (const ip of attackers) for (let i = 0; i < 3; i++) lines.push(saslFailure(ip, `u${i}@example.com`));
    h.append(lines);
    await waitFor(async () => (await h.nftElements()).size === 3, 20_000);
    const q = (e: string) => prom!.query(e);
    await waitFor(async () => (await q('sum(mailjail_bans_total{jail="postfix"})')) === 3 && (await q('sum(mailjail_ban_latency_seconds_count)')) === 3, 20_000, 250);
    expect(await q('sum(mailjail_lines_read_total{jail="postfix"})')).toBe(lines.length);
    expect(await q(`mailjail_bytes_read_total{jail="postfix",source="${h.logFile}"}`)).toBe(statSync(h.logFile).size);
    expect(await q('sum(mailjail_events_total{jail="postfix",filter="postfix",event="auth-failure"})')).toBe(9);
    expect(await q('sum(mailjail_strikes_total{jail="postfix",event="auth-failure"})')).toBe(9);
    expect(await q('mailjail_bans_total{jail="postfix",reason="threshold"}')).toBe(3);
    expect(await q('mailjail_active_bans{jail="postfix"}')).toBe(3);
    expect(await q('mailjail_ban_latency_seconds_bucket{jail="postfix",le="+Inf"}')).toBe(3);
    expect(await q('mailjail_ban_latency_seconds_sum{jail="postfix"} > 0')).toBeGreaterThan(0);
    expect(await q('mailjail_ban_latency_seconds_sum{jail="postfix"} < 30')).toBeDefined();
    expect(await q('sum(mailjail_firewall_batches_total{jail="postfix",action="nftables"})')).toBeGreaterThanOrEqual(1);
    expect(await q('sum(mailjail_firewall_failures_total)')).toBe(0);
    expect(await q('mailjail_ready')).toBe(1);
    expect(await q('mailjail_source_files{jail="postfix"}')).toBe(1);
    expect(await q('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  }, 60_000);

  it('prints the same counters through `mailjail metrics` over the control socket', async () => {
    const r = await runCommand([process.execPath, CLI, 'metrics', '--socket', h.socket]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('# TYPE mailjail_bans_total counter');
    expect(r.stdout).toContain('mailjail_bans_total{jail="postfix",reason="threshold"} 3');
    expect(r.stdout).toContain(`mailjail_lines_read_total{jail="postfix",source="${h.logFile}"} ${noise.length + 9}`);
    expect(r.stdout).toMatch(/mailjail_ban_latency_seconds_count\{jail="postfix"\} 3/);
    const http = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(http).toContain('mailjail_bans_total{jail="postfix",reason="threshold"} 3');
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  });

  it('logs every ban and unban once, with jail, address, reason and who asked', async () => {
    const bans = logLines.filter((l) => l.msg === 'ban');
    expect(bans.map((l) => l.ip).sort()).toEqual(['192.0.2.61', '192.0.2.62', '2001:db8:5::/64']); // IPv6: its /64
    for (const b of bans) expect(b).toMatchObject({ jail: 'postfix', reason: 'threshold', by: 'rule', level: 30 });
    expect((await runCommand([process.execPath, CLI, 'ban', '203.0.113.77', '--socket', h.socket])).code).toBe(0);
    expect((await runCommand([process.execPath, CLI, 'unban', '192.0.2.61', '--socket', h.socket])).code).toBe(0);
    expect(logLines.filter((l) => l.msg === 'ban' && l.ip === '203.0.113.77')).toEqual([expect.objectContaining({ jail: 'manual', reason: 'manual', by: 'cli' })]);
    expect(logLines.filter((l) => l.msg === 'unban')).toEqual([expect.objectContaining({ jail: 'postfix', ip: '192.0.2.61', by: 'cli' })]);
    const text = (await runCommand([process.execPath, CLI, 'metrics', '--socket', h.socket])).stdout;
    expect(text).toContain('mailjail_unbans_total{jail="postfix",cause="cli"} 1');
    expect(text).toContain('mailjail_bans_total{jail="manual",reason="manual"} 1');
  });

  it('leaves a complete textfile, saying it is no longer ready, when it stops', async () => {
    expect(readFileSync(textfile(), 'utf8')).toContain('mailjail_ready');
    await daemon!.stop();
    daemon = null;
    const text = readFileSync(textfile(), 'utf8');
    expect(text).toContain('mailjail_bans_total{jail="postfix",reason="threshold"} 3');
    expect(text).toMatch(/\nmailjail_ready 0\n/);
    expect(text.endsWith('\n')).toBe(true);
    expect(readdirSync(join(h.dir, 'node-exporter'))).toEqual(['mailjail.prom']);
  });
});
