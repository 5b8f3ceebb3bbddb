/**
 * The jail registry: lookups, bans into the kernel and out of it grouped per jail (one unban call
 * per jail, whatever the number of rows), the engines told, listeners told and isolated, and the
 * swap a reload makes. Real dry-run actions and real decision engines; no daemon.
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Ban } from '../../../src/core/types';
import { MemoryBanHistory } from '../../../src/decide/ban-history';
import { JailEngine } from '../../../src/decide/jail-engine';
import type { FirewallAction } from '../../../src/enforce/action';
import { createAction } from '../../../src/enforce/create-action';
import { BanApplier } from '../../../src/daemon/ban-applier';
import { JailRegistry } from '../../../src/daemon/jail-registry';
import type { JailRuntime } from '../../../src/daemon/jail-runtime';
import { createLogger } from '../../../src/daemon/logger';
import { shippedRules } from '../../helpers/jail-rules';

const NOW = Date.now();
const hash = (u: string) => createHash('sha256').update(u).digest('hex').slice(0, 16);
const banOf = (ip: string, jail: string): Ban => ({ ip, jail, since: NOW, until: NOW + 3_600_000, reason: 'threshold', count: 0 });

function quietLog(lines: string[] = []) {
  return createLogger('info', new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }) as never);
}

/** A jail with a real dry-run action whose unban calls are counted, and (unless manual) a real engine. */
function jail(name: string, withEngine = true) {
  const action = createAction('dry-run', { jail: name, ports: 'all' }) as FirewallAction;
  const unbanCalls: string[][] = [];
  const unban = action.unban.bind(action);
  action.unban = (ips) => (unbanCalls.push([...ips]), unban(ips));
  const engine = withEngine ? new JailEngine(shippedRules(), { isProtected: () => false }, new MemoryBanHistory(), hash) : undefined;
  const rt: JailRuntime = {
    name,
    action,
    applier: new BanApplier(action, name, quietLog()),
    sources: [],
    counters: { lines: 0, failures: 0, strikes: 0, bans: 0 },
    parts: engine ? ({ engine } as JailRuntime['parts']) : undefined,
  };
  return { rt, unbanCalls, engine };
}

describe('jail registry', () => {
  it('finds running jails by name, answers `manual` when no name is given, and names the running jails for an unknown one', () => {
    const reg = new JailRegistry(quietLog());
    const manual = jail('manual', false).rt;
    const postfix = jail('postfix').rt;
    reg.swap([manual, postfix]);
    expect(reg.names()).toEqual(['manual', 'postfix']);
    expect(reg.get()).toBe(manual);
    expect(reg.get('postfix')).toBe(postfix);
    expect(reg.find('exim')).toBeUndefined();
    expect(() => reg.get('exim')).toThrow('no running jail "exim" (running: manual, postfix)');
  });

  it('takes 300 lifted bans of two jails out of the kernel in one unban call per jail and forgets them in the engines', async () => {
    const reg = new JailRegistry(quietLog());
    const a = jail('postfix');
    const b = jail('exim');
    reg.swap([a.rt, b.rt]);
    const rows = [...Array.from({ length: 200 }, (_, i) => banOf(`192.0.2.${i + 1}`, 'postfix')), ...Array.from({ length: 100 }, (_, i) => banOf(`203.0.113.${i + 1}`, 'exim'))];
    for (const r of rows) reg.enforce(r.jail === 'exim' ? b.rt : a.rt, [r], 'manual');
    await Promise.all([a.rt.applier.flushNow(), b.rt.applier.flushNow()]);
    expect(a.engine!.isBanned(rows[1].ip, NOW)).toBe(true);

    const touched = reg.release([...rows, { ip: '203.0.113.1', jail: 'gone' }], 'lifted');
    await Promise.all(touched.map((rt) => rt.applier.flushNow()));
    expect(touched.map((rt) => rt.name).sort()).toEqual(['exim', 'postfix']);
    expect(a.unbanCalls).toHaveLength(1);
    expect(b.unbanCalls).toHaveLength(1);
    expect(a.unbanCalls[0]).toHaveLength(200);
    expect(b.unbanCalls[0]).toHaveLength(100);
    expect(await a.rt.action.listed()).toEqual(new Set());
    expect(a.engine!.isBanned(rows[1].ip, NOW)).toBe(false);
  });

  it('tells listeners of bans with their origin, of unbans with their cause, and of swaps', async () => {
    const reg = new JailRegistry(quietLog());
    const a = jail('postfix');
    const seen: string[] = [];
    reg.onBans((rt, bans, origin) => seen.push(`ban ${rt.name} ${bans.length} ${origin}`));
    const off = reg.onUnbans((rt, ips, cause) => seen.push(`unban ${rt.name} ${ips.join(',')} ${cause}`));
    reg.onSwap((jails) => seen.push(`swap ${jails.map((j) => j.name).join(',')}`));
    reg.swap([a.rt]);
    reg.enforce(a.rt, [banOf('192.0.2.1', 'postfix'), banOf('192.0.2.2', 'postfix')], 'fleet');
    reg.enforce(a.rt, [], 'log');
    reg.release([{ ip: '192.0.2.1', jail: 'postfix' }], 'expired');
    off();
    reg.release([{ ip: '192.0.2.2', jail: 'postfix' }], 'lifted');
    await a.rt.applier.flushNow();
    expect(seen).toEqual(['swap postfix', 'ban postfix 2 fleet', 'unban postfix 192.0.2.1 expired']);
  });

  it('still puts a ban into the kernel when a listener throws, and logs the listener failure', async () => {
    const lines: string[] = [];
    const reg = new JailRegistry(quietLog(lines));
    const a = jail('postfix');
    reg.swap([a.rt]);
    reg.onBans(() => {
      throw new Error('metrics broke');
    });
    reg.enforce(a.rt, [banOf('192.0.2.9', 'postfix')], 'log');
    await a.rt.applier.flushNow();
    expect(await a.rt.action.listed()).toEqual(new Set(['192.0.2.9']));
    await new Promise((r) => setTimeout(r, 50));
    expect(lines.join('')).toContain('metrics broke');
  });

  it('hands back the replaced jails on a swap, so a reload can stop exactly those', () => {
    const reg = new JailRegistry(quietLog());
    const first = [jail('manual', false).rt, jail('postfix').rt];
    reg.swap(first);
    const second = [jail('manual', false).rt];
    expect(reg.swap(second)).toEqual(first);
    expect(reg.list()).toEqual(second);
    expect(reg.swap([])).toEqual(second);
    expect(reg.names()).toEqual([]);
  });
});
