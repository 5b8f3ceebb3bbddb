/**
 * The admin's view (issue 4): a real daemon in a namespace, driven through the real socket by the
 * real CLI: ban, list, unban, why, status, reload; bad requests, bad arguments, a non-root caller.
 */
import { hostname } from 'node:os';
import { createConnection } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_STATUS } from '../../../src/core/errors';
import { describeWithNetns } from '../../helpers/netns';
import { CLI, useDaemon, runCommand, saslFailure, waitFor } from './daemon-harness';

function rawRequest(socket: string, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createConnection(socket);
    let got = '';
    s.on('connect', () => s.write(payload));
    s.on('data', (d) => {
      got += d.toString();
      if (got.includes('\n')) {
        s.destroy();
        resolve(got.trim());
      }
    });
    s.on('error', reject);
  });
}

describeWithNetns(['nft', 'setpriv'])('control socket and CLI', () => {
  const h = useDaemon();

  it('bans an address by hand, in the kernel before the command returns', async () => {
    const r = await h.cli(['ban', '203.0.113.9', '--jail', 'postfix', '--for', '2h', '--reason', 'seen in spamtrap']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/banned 203\.0\.113\.9 in jail postfix for 2h/);
    const timeout = (await h.nftElements()).get('203.0.113.9');
    expect(timeout).toBeGreaterThan(7000);
    expect(timeout).toBeLessThanOrEqual(7200);
  });

  it('lists active bans as a table and as the documented JSON array', async () => {
    const text = await h.cli(['list']);
    expect(text.stdout).toMatch(/^IP\s+JAIL\s+SINCE\s+UNTIL\s+REASON/);
    expect(text.stdout).toContain('203.0.113.9');
    const json = JSON.parse((await h.cli(['--json', 'list'])).stdout);
    expect(json).toEqual([
      { ip: '203.0.113.9', jail: 'postfix', since: expect.any(String), until: expect.any(String), reason: 'manual: seen in spamtrap', count: 0, node: hostname().split('.')[0] },
    ]);
    expect(Date.parse(json[0].until) - Date.parse(json[0].since)).toBe(2 * 3600 * 1000);
  });

  it('explains why an address was banned, with the log lines', async () => {
    h.append([saslFailure('192.0.2.33'), saslFailure('192.0.2.33'), saslFailure('192.0.2.33')]);
    await waitFor(async () => (await h.nftElements()).has('192.0.2.33'));
    const text = (await h.cli(['why', '192.0.2.33'])).stdout;
    expect(text).toContain('threshold');
    expect(text).toContain('SASL LOGIN authentication failed');
    expect(text).toContain(`${h.logFile}:`);
  });

  it('unbans: out of the kernel and strikes cleared, so the next line does not ban again', async () => {
    const r = await h.cli(['unban', '192.0.2.33']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/unbanned 192\.0\.2\.33/);
    expect((await h.nftElements()).has('192.0.2.33')).toBe(false);
    h.append([saslFailure('192.0.2.33')]);
    // once the line is counted (not after a fixed pause a loaded machine may outlast), no ban
    const why = async () => JSON.parse((await h.cli(['why', '192.0.2.33', '--json'])).stdout);
    await waitFor(async () => (await why()).strikes.length > 0);
    expect((await h.nftElements()).has('192.0.2.33')).toBe(false);
    const after = await why();
    expect(after.strikes).toHaveLength(1);
    expect(after.bans[0].state).toBe('lifted');
  });

  it('reports status: jails, source positions, action health, database', async () => {
    const s = JSON.parse((await h.cli(['status', '--json'])).stdout);
    const postfix = s.jails.find((j: { name: string }) => j.name === 'postfix');
    expect(postfix.action).toMatchObject({ action: 'nftables', ok: true });
    expect(postfix.sources[0].files[0].path).toBe(h.logFile);
    expect(postfix.sources[0].files[0].offset).toBeGreaterThan(0);
    expect(s.database.path).toBe(h.database);
    const text = (await h.cli(['status'])).stdout;
    expect(text).toMatch(/jail postfix: \d+ active bans; action nftables ok/);
  });

  it('reloads a changed drop-in without dropping bans, and refuses a broken one', async () => {
    writeFileSync(join(h.configDir, 'jails.d', '60-tune.yaml'), 'jails:\n  postfix:\n    maxRetry: 1\n');
    expect((await h.cli(['reload'])).code).toBe(0);
    expect((await h.nftElements()).has('203.0.113.9')).toBe(true);
    h.append([saslFailure('192.0.2.44')]);
    await waitFor(async () => (await h.nftElements()).has('192.0.2.44'));
    writeFileSync(join(h.configDir, 'jails.d', '70-broken.yaml'), 'jails:\n  postfix:\n    maxRetry: lots\n');
    const bad = await h.cli(['reload']);
    expect(bad.code).toBe(EXIT_STATUS.CONFIG);
    expect(bad.stderr).toContain('70-broken.yaml:3: jails.postfix.maxRetry');
    rmSync(join(h.configDir, 'jails.d', '70-broken.yaml'));
    expect(await h.answers()).toBe(true);
  });

  it('answers malformed, unknown and oversized requests with an error and keeps serving', async () => {
    expect(JSON.parse(await rawRequest(h.socket, 'not json\n'))).toMatchObject({ ok: false, error: { code: 'PROTOCOL' } });
    expect(JSON.parse(await rawRequest(h.socket, '{"cmd":"format-disk"}\n')).ok).toBe(false);
    expect(JSON.parse(await rawRequest(h.socket, '{"cmd":"ban","ip":"192.0.2.1; rm -rf /"}\n')).error.message).toContain('not an IP address');
    expect(JSON.parse(await rawRequest(h.socket, 'x'.repeat(70_000))).error.message).toContain('longer than');
    expect((await h.cli(['list'])).code).toBe(0);
  });

  it('refuses bad arguments with one line and the usage exit status', async () => {
    const r = await h.cli(['ban', 'not-an-ip']);
    expect(r.code).toBe(EXIT_STATUS.USAGE);
    expect(r.stderr.trim()).toBe('mailjail: not an IP address or CIDR: "not-an-ip"');
    const own = await h.cli(['ban', '127.0.0.1']);
    expect(own.code).toBe(EXIT_STATUS.USAGE);
    expect(own.stderr).toContain('refusing to ban 127.0.0.1');
  });

  it('refuses a non-root caller', async () => {
    const r = await h.cli(['list'], { asUser: 'nobody' });
    expect(r.code).toBe(EXIT_STATUS.PERMISSION);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('permission denied');
  });

  it('will not start a second daemon on a live socket', async () => {
    const r = await h.ns.exec([process.execPath, CLI, 'daemon', '--config', h.configDir], { timeoutMs: 20_000 });
    expect(r.code).toBe(EXIT_STATUS.SOCKET);
    expect(r.stderr).toContain('another mailjail daemon is already serving');
    expect((await h.cli(['list'])).code).toBe(0);
  });

  it('says in one line when no daemon is running', async () => {
    const r = await runCommand([process.execPath, CLI, 'list', '--socket', join(h.dir, 'nothing.sock')]);
    expect(r.code).toBe(EXIT_STATUS.SOCKET);
    expect(r.stderr.trim()).toMatch(/^mailjail: the mailjail daemon is not running/);
  });
});
