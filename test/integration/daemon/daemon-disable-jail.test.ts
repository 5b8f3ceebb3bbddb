/**
 * Disabling a jail takes its bans out of the kernel (issue 15 point 2): with a drop-in
 * `postfix: { enabled: false }` and a reload - or a restart - the jail's chain and sets leave the
 * nft table, its bans are lifted in the database, and `list`, `why` and `unban` say so.
 */
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseTableSummary } from '../../../src/enforce/nft-json';
import { describeWithNetns } from '../../helpers/netns';
import { saslFailure, useDaemon, waitFor } from './daemon-harness';

describeWithNetns(['nft'])('a disabled jail gives its bans up', () => {
  const h = useDaemon({ jailYaml: '    subnet: { enabled: false }' });
  const dropIn = () => join(h.configDir, 'jails.d', '90-off.yaml');
  const disable = () => writeFileSync(dropIn(), 'jails:\n  postfix:\n    enabled: false\n');
  const enable = () => rmSync(dropIn(), { force: true });
  const banLines = (ip: string) => ['a', 'b', 'c'].map((u) => saslFailure(ip, `${u}@example.com`));

  async function postfixObjects(): Promise<string[]> {
    const r = await h.ns.execOk(['nft', '-t', '-j', 'list', 'table', 'inet', 'mailjail']);
    const t = parseTableSummary(r.stdout);
    return [...t.chains, ...t.sets.map((s) => s.name)].filter((n) => n.startsWith('postfix_')).sort();
  }

  async function listed(): Promise<string[]> {
    const r = await h.cli(['list', '--json']);
    return (JSON.parse(r.stdout) as Array<{ ip: string; jail: string }>).filter((b) => b.jail === 'postfix').map((b) => b.ip);
  }

  async function states(ip: string): Promise<string[]> {
    const r = await h.cli(['why', ip, '--json']);
    return (JSON.parse(r.stdout).bans as Array<{ state: string }>).map((b) => b.state);
  }

  it('on reload: the chain and sets go, the ban is lifted, and unban answers for it', async () => {
    h.append(banLines('192.0.2.10'));
    await waitFor(async () => (await h.nftElements()).has('192.0.2.10'));
    disable();
    const reload = await h.cli(['reload']);
    expect(reload.code).toBe(0);
    expect(await postfixObjects()).toEqual([]);
    expect((await h.nftElements()).size).toBe(0);
    expect(await listed()).toEqual([]);
    expect(await states('192.0.2.10')).toEqual(['lifted']);
    // pino writes asynchronously: the line may reach the output a moment after the reply
    await waitFor(() => h.output().includes('jail no longer enabled: its firewall objects are removed and its bans lifted'));
    const unban = await h.cli(['unban', '192.0.2.10']);
    expect(unban.code).toBe(0);
    // the manual jail still runs in the same table
    const manual = await h.cli(['ban', '192.0.2.99']);
    expect(manual.code).toBe(0);
  });

  it('on a restart with the jail disabled meanwhile: the same, before the daemon is ready', async () => {
    enable();
    expect((await h.cli(['reload'])).code).toBe(0);
    h.append(banLines('192.0.2.11'));
    await waitFor(async () => (await h.nftElements()).has('192.0.2.11'));
    expect(await h.stop()).toBe(0);
    expect((await h.nftElements()).has('192.0.2.11')).toBe(true); // SIGTERM leaves bans in place
    disable();
    await h.start();
    expect(await postfixObjects()).toEqual([]);
    expect(await listed()).toEqual([]);
    expect(await states('192.0.2.11')).toEqual(['lifted']);
    expect((await h.cli(['unban', '192.0.2.11'])).code).toBe(0);
  });
});
