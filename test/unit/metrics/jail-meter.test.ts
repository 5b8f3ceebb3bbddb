import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ban } from '../../../src/core/types';
import { reasonClass } from '../../../src/metrics/jail-meter';
import { Metrics } from '../../../src/metrics/metrics';
import { serveMetrics, TEXTFILE_EVERY_MS, TEXTFILE_FIRST_MS } from '../../../src/metrics/serve-metrics';
import type { JailView, MetricsView } from '../../../src/metrics/view';

function viewOf(jails: JailView[] = []): MetricsView & { ready: boolean } {
  const v = { ready: true, startedAt: 1_700_000_000_000, reconcileIntervalMs: 60_000, sourceGraceMs: 60_000, jails: () => jails, databaseBytes: () => 4096, isReady: () => v.ready };
  return v;
}

const ban = (ip: string, reason: string): Ban => ({ ip, jail: 'postfix', since: 0, until: 1, reason, count: 0 });

describe('jail meters', () => {
  it('labels bans by a bounded reason class, never by the user hash or prefix the reason carries', () => {
    expect(['threshold', 'spray:9f8e7d', 'subnet:192.0.2.0/24', 'manual: seen in spamtrap', 'recidive', 'made-up'].map(reasonClass)).toEqual([
      'threshold',
      'spray',
      'subnet',
      'manual',
      'recidive',
      'other',
    ]);
  });

  it('counts bytes from the cursor: resumed files by their lines, rotated files from their start', () => {
    const m = new Metrics(viewOf()).jail('postfix');
    const s = m.source('postfix:/var/log/mail.log');
    expect(s.pattern).toBe('/var/log/mail.log');
    const key = 'postfix:/var/log/mail.log:/var/log/mail.log';
    s.read(2, { key, value: { ino: 7, offset: 100, line: 2 } }, () => 999, 0); // from the start: the position
    s.read(3, { key, value: { ino: 7, offset: 160, line: 5 } }, () => 999, 0); // +60
    s.read(1, { key, value: { ino: 8, offset: 40, line: 1 } }, () => 999, 0); // rotated: new inode from 0
    expect(s.bytes).toBe(200);
    expect(s.lines).toBe(6);
    const resumed = m.source('postfix:/var/log/other.log');
    resumed.read(2, { key: 'k2', value: { ino: 1, offset: 5000, line: 80 } }, () => 64, 0);
    expect(resumed.bytes).toBe(64);
  });

  it('renders counters, the latency histogram once the ban is in the kernel, and keeps meters across reloads', async () => {
    const metrics = new Metrics(viewOf());
    const m = metrics.jail('postfix');
    m.matched('postfix', 'auth-failure');
    m.matched('postfix', 'auth-failure');
    m.struck('auth-failure');
    const b = ban('192.0.2.1', 'spray:abc123');
    m.banned(b);
    m.noteLineTime(b, 1_000);
    m.firewallBatch('nftables', true, 0.02, [b], 3_500);
    m.firewallBatch('nftables', true, 0.02, [b], 9_000); // already observed: not twice
    m.unbanned('expiry', 2);
    expect(metrics.jail('postfix')).toBe(m);
    const text = await metrics.render();
    expect(text).toContain('mailjail_events_total{jail="postfix",filter="postfix",event="auth-failure"} 2');
    expect(text).toContain('mailjail_bans_total{jail="postfix",reason="spray"} 1');
    expect(text).toContain('mailjail_unbans_total{jail="postfix",cause="expiry"} 2');
    expect(text).toContain('mailjail_ban_latency_seconds_count{jail="postfix"} 1');
    expect(text).toContain('mailjail_ban_latency_seconds_sum{jail="postfix"} 2.5');
    expect(text).toContain('mailjail_firewall_batches_total{jail="postfix",action="nftables"} 2');
    expect(text).toContain('mailjail_database_bytes 4096');
    expect(text).toContain('mailjail_ready 1');
    expect(text).not.toContain('192.0.2.1');
    expect(text).not.toContain('abc123');
  });
});

describe('the textfile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mj-textfile-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is written a second after start by a rename (never half a file), and a last time on stop, not ready', async () => {
    const view = viewOf();
    const metrics = new Metrics(view);
    const path = join(dir, 'mailjail.prom');
    const serving = await serveMetrics(metrics, { textfile: path, sourceGraceMs: 60_000 }, () => undefined);
    expect(existsSync(path)).toBe(false);
    metrics.jail('postfix').banned(ban('192.0.2.9', 'threshold'));
    for (let i = 0; i < 150 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 20));
    expect(readFileSync(path, 'utf8')).toContain('mailjail_bans_total{jail="postfix",reason="threshold"} 1');
    expect(readFileSync(path, 'utf8')).toMatch(/\nmailjail_ready 1\n/);
    view.ready = false;
    await serving.close();
    expect(readFileSync(path, 'utf8')).toMatch(/\nmailjail_ready 0\n/);
    expect(readdirSync(dir)).toEqual(['mailjail.prom']);
    expect(TEXTFILE_FIRST_MS).toBeLessThan(TEXTFILE_EVERY_MS);
  });
});
