import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load-config';
import { parseListenAddress } from '../../../src/config/listen-address';
import { MailjailError } from '../../../src/core/errors';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mj-metrics-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function load(yaml: string) {
  writeFileSync(join(dir, 'mailjail.yaml'), yaml);
  return loadConfig(dir);
}

function problemsOf(yaml: string): string[] {
  try {
    load(yaml);
  } catch (e) {
    if (e instanceof MailjailError) return e.problems;
    throw e;
  }
  throw new Error('expected a config error');
}

describe('metrics configuration', () => {
  it('serves nothing by default', () => {
    expect(load('logLevel: info\n').main.metrics).toEqual({ listen: undefined, textfile: undefined, sourceGraceMs: 60_000 });
  });

  it('reads a loopback listen address and a textfile path', () => {
    const m = load('metrics:\n  listen: "127.0.0.1:9716"\n  textfile: /var/lib/prometheus/node-exporter/mailjail.prom\n').main.metrics;
    expect(m).toEqual({ listen: { host: '127.0.0.1', port: 9716, isLoopback: true }, textfile: '/var/lib/prometheus/node-exporter/mailjail.prom', sourceGraceMs: 60_000 });
  });

  it('refuses a non-loopback listen address unless allowRemote is set, naming file, line and key', () => {
    const problems = problemsOf('logLevel: info\nmetrics:\n  listen: "0.0.0.0:9716"\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/mailjail\.yaml:3: metrics\.listen: 0\.0\.0\.0 is not a loopback address.*allowRemote: true/);
    expect(load('metrics: { listen: "192.0.2.5:9716", allowRemote: true }\n').main.metrics.listen).toEqual({ host: '192.0.2.5', port: 9716, isLoopback: false });
  });

  it('refuses a malformed address, a relative textfile and an unknown key', () => {
    const problems = problemsOf('metrics:\n  listen: "localhost:99999"\n  textfile: mailjail.prom\n  port: 1\n').join('\n');
    expect(problems).toContain('metrics.listen: expected HOST:PORT');
    expect(problems).toContain('metrics.textfile: expected an absolute path ending in .prom');
    expect(problems).toContain('port');
  });
});

describe('parseListenAddress', () => {
  it('takes HOST:PORT, [IPV6]:PORT and a bare port (loopback)', () => {
    expect(parseListenAddress('[::1]:9716')).toEqual({ host: '::1', port: 9716, isLoopback: true });
    expect(parseListenAddress('9716')).toEqual({ host: '127.0.0.1', port: 9716, isLoopback: true });
    expect(parseListenAddress('localhost:9716')).toEqual({ host: '127.0.0.1', port: 9716, isLoopback: true });
    expect(parseListenAddress('[2001:db8::1]:80')).toEqual({ host: '2001:db8::1', port: 80, isLoopback: false });
    expect(parseListenAddress('mail.example.com:9716')).toMatch(/not an IP address/);
  });
});
