/**
 * An admin's first week (issue 15): an unban that sticks for a whole IPv6 offender, and manual
 * bans that refuse what they would silently widen. A real daemon in a namespace, driven by the CLI.
 */
import { EXIT_STATUS } from '../../../src/core/errors';
import { describeWithNetns } from '../../helpers/netns';
import { CLI, runCommand, useDaemon, saslFailure, waitFor, type DaemonHarness } from './daemon-harness';

async function strikesOf(h: DaemonHarness, target: string): Promise<number> {
  return JSON.parse((await h.cli(['why', target, '--json'])).stdout).strikes.length;
}

describeWithNetns(['nft'])('unbanning an IPv6 offender', () => {
  const h = useDaemon({ mainYaml: 'ignoreIp: [198.51.100.0/24]' });
  const offender = '2001:db8:1:2::/64';

  it('clears every strike of the /64, so neither a reload nor a restart re-bans it as recidive', async () => {
    h.append(['1', '2', '3'].map((n) => saslFailure(`2001:db8:1:2::${n}`)));
    await waitFor(async () => (await h.nftElements()).has(offender));
    const r = await h.cli(['unban', '2001:db8:1:2::3']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`unbanned ${offender}`);
    expect(r.stdout).toContain('cleared 3 strikes');
    expect(await strikesOf(h, offender)).toBe(0);

    expect((await h.cli(['reload'])).code).toBe(0);
    h.append([saslFailure('2001:db8:1:2::9')]);
    await waitFor(async () => (await strikesOf(h, offender)) === 1);
    await h.stop();
    await h.start();
    h.append([saslFailure('2001:db8:1:2::a')]);
    await waitFor(async () => (await strikesOf(h, offender)) === 2);
    await new Promise((res) => setTimeout(res, 300));
    expect((await h.nftElements()).has(offender)).toBe(false);
    const list = JSON.parse((await h.cli(['list', '--json'])).stdout) as Array<{ ip: string }>;
    expect(list.map((b) => b.ip)).not.toContain(offender);
  });
});

describeWithNetns(['nft'])('manual bans that would lie', () => {
  const h = useDaemon({ mainYaml: 'ignoreIp: [198.51.100.0/24]', jailYaml: '    ignoreIp: [203.0.113.128/25]' });

  it('refuses a network written with host bits set, naming the network it would have become', async () => {
    const r = await h.cli(['ban', '2001:db8::/16']);
    expect(r.code).toBe(EXIT_STATUS.USAGE);
    expect(r.stderr).toContain('refusing to ban 2001:db8::/16');
    expect(r.stderr).toContain('2001::/16');
    expect((await h.nftElements('manual')).size).toBe(0);
  });

  it('refuses a prefix wider than maxBanPrefix unless --force, and says which limit', async () => {
    const wide = await h.cli(['ban', '2001:db8::/31']);
    expect(wide.code).toBe(EXIT_STATUS.USAGE);
    expect(wide.stderr).toContain('wider than maxBanPrefix.ipv6 (/32)');
    const wide4 = await h.cli(['ban', '10.0.0.0/15']);
    expect(wide4.stderr).toContain('maxBanPrefix.ipv4 (/16)');
    expect((await h.cli(['ban', '2001:db8::/32'])).code).toBe(0);
    const forced = await h.cli(['ban', '2001:db8::/31', '--force', '--for', '1h']);
    expect(forced.code).toBe(0);
    expect((await h.nftElements('manual')).has('2001:db8::/31')).toBe(true);
  });

  it('says which rule refused: loopback, the main ignoreIp entry, or the jail entry', async () => {
    expect((await h.cli(['ban', '127.0.0.1'])).stderr).toContain('loopback');
    const main = await h.cli(['ban', '198.51.100.7']);
    expect(main.code).toBe(EXIT_STATUS.USAGE);
    expect(main.stderr).toContain('ignoreIp entry 198.51.100.0/24 of mailjail.yaml');
    const jail = await h.cli(['ban', '203.0.113.0/24', '--jail', 'postfix']);
    expect(jail.stderr).toContain('ignoreIp entry 203.0.113.128/25 of jail postfix');
  });

  it('exits with the usage status for a duration it does not know', async () => {
    const r = await h.cli(['ban', '192.0.2.77', '--for', '10y']);
    expect(r.code).toBe(EXIT_STATUS.USAGE);
    expect(r.stderr).toContain('--for');
  });
});

describeWithNetns(['nft'])('the terminal view of bans and strikes', () => {
  const h = useDaemon();
  const ZONE = 'Asia/Kathmandu'; // UTC+05:45 all year: no test host runs in it by accident
  const inZone = (args: string[]) => runCommand(['env', `TZ=${ZONE}`, process.execPath, CLI, ...args, '--socket', h.socket]);
  const localMinute = (iso: string) => {
    const p = Object.fromEntries(
      new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
        .formatToParts(new Date(iso))
        .map((x) => [x.type, x.value]),
    );
    return `${p.month}-${p.day} ${p.hour}:${p.minute}`;
  };
  const widest = (text: string) => Math.max(...text.split('\n').map((l) => l.length));

  it('lists bans in local time within 80 columns, keeping UTC ISO in JSON', async () => {
    await h.cli(['ban', '2001:db8:ffff:ffff:ffff:ffff:ffff:fff0', '--jail', 'postfix', '--reason', 'a rather long reason that will not fit']);
    const json = JSON.parse((await h.cli(['list', '--json'])).stdout) as Array<{ until: string }>;
    expect(json[0].until).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const r = await inZone(['list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(localMinute(json[0].until));
    expect(r.stdout).toContain('UTC+05:45');
    expect(widest(r.stdout)).toBeLessThanOrEqual(80);
  });

  it('shows in why that an address is a customer and which strikes its login forgave, within 80 columns', async () => {
    h.append([
      saslFailure('192.0.2.80'),
      `${new Date().toISOString().replace('Z', '+00:00')} mx postfix/submission/smtpd[2200]: 7C1B3A2B4C: client=laptop.example.org[192.0.2.80], sasl_method=PLAIN, sasl_username=alice@example.com`,
    ]);
    await waitFor(async () => (await strikesOf(h, '192.0.2.80')) === 2);
    const json = JSON.parse((await h.cli(['why', '192.0.2.80', '--json'])).stdout);
    expect(json.customers).toEqual([expect.objectContaining({ jail: 'postfix', offender: '192.0.2.80' })]);
    expect(json.strikes.map((s: { event: string; forgiven: boolean }) => [s.event, s.forgiven])).toEqual([
      ['auth-success', false],
      ['auth-failure', true],
    ]);
    const r = await inZone(['why', '192.0.2.80']);
    expect(r.stdout).toContain('CUSTOMER in jail postfix');
    expect(r.stdout).toContain('FORGIVEN');
    expect(r.stdout).toContain(localMinute(json.strikes[0].time));
    expect(widest(r.stdout)).toBeLessThanOrEqual(80);
  });

  it('finds the running daemon without --socket or --config, or says what to type when several run', async () => {
    const pid = JSON.parse((await h.cli(['status', '--json'])).stdout).pid as number;
    const r = await runCommand(['env', '-C', '/', process.execPath, CLI, 'status', '--json']);
    // other daemons may run on this machine meanwhile: then the error must name ours
    if (r.code === 0) expect(JSON.parse(r.stdout).pid).toBe(pid);
    else expect(r.stderr).toContain(`--socket ${h.socket} (pid ${pid})`);
  });
});
