/**
 * Issue 14 point 5: `mailjail status` exits 11 and says which problem and what to do when a
 * source is missing (for longer than metrics.sourceGrace), a firewall action keeps failing, or
 * the kernel's set drifts from the database; `status --watch` / `top` show a compact live view.
 * A real daemon (the built CLI) in a namespace; the drift is made with a real `nft flush set`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StatusReply } from '../../../src/control/replies';
import { describeWithNetns } from '../../helpers/netns';
import { saslFailure, useDaemon, waitFor } from '../daemon/daemon-harness';

const UNHEALTHY = 11;

describeWithNetns(['nft'])('status problems and the live view', () => {
  const h = useDaemon(
    { mainYaml: ['metrics: { sourceGrace: 1s }', 'actions:', '  broken: { type: command, ban: [/bin/false], unban: [/bin/true] }'].join('\n') },
    (d) => {
      writeFileSync(
        join(d.configDir, 'jails.d', '60-more.yaml'),
        [
          'jails:',
          '  typo:',
          '    enabled: true',
          `    sources: [{ file: ${join(d.dir, 'no-such-dir', 'mail.log')} }]`,
          '    filters: [postfix]',
          '  broken:',
          '    enabled: true',
          `    sources: [{ file: ${d.logFile} }]`,
          '    filters: [postfix]',
          '    maxRetry: 1',
          '    action: broken',
        ].join('\n'),
      );
    },
  );
  const status = async () => {
    const r = await h.cli(['status', '--json']);
    return { code: r.code, reply: JSON.parse(r.stdout) as StatusReply };
  };

  it('reports a source whose pattern matches no file, once it has lasted longer than the grace', async () => {
    await waitFor(async () => (await status()).reply.problems.some((p) => p.kind === 'source-missing'), undefined, 200);
    const { code, reply } = await status();
    expect(code).toBe(UNHEALTHY);
    const missing = reply.problems.find((p) => p.kind === 'source-missing')!;
    expect(missing).toMatchObject({ jail: 'typo', subject: expect.stringContaining('no-such-dir') });
    expect(missing.hint).toMatch(/check the path/);
    const text = await h.cli(['status']);
    expect(text.code).toBe(UNHEALTHY);
    expect(text.stdout).toMatch(/PROBLEMS \(\d\):\n {2}source-missing: source typo:.*no file matches/);
    expect(text.stdout).toMatch(/what to do: check the path under sources:/);
  });

  it('reports a failing firewall action, naming the jail, the action and its error', async () => {
    h.append([saslFailure('192.0.2.71')]);
    await waitFor(async () => (await status()).reply.problems.some((p) => p.kind === 'action'), undefined, 200);
    const { code, reply } = await status();
    expect(code).toBe(UNHEALTHY);
    expect(reply.problems.find((p) => p.kind === 'action')).toMatchObject({ jail: 'broken', subject: 'broken', message: expect.stringContaining('is failing') });
    // the healthy jail is not blamed
    expect(reply.problems.filter((p) => p.jail === 'postfix')).toEqual([]);
  });

  it('reports a kernel set that drifted from the database, and what changes it', async () => {
    h.append([saslFailure('192.0.2.72', 'a'), saslFailure('192.0.2.72', 'b'), saslFailure('192.0.2.72', 'c')]);
    await waitFor(async () => (await h.nftElements()).has('192.0.2.72'));
    await h.ns.execOk(['nft', 'flush', 'set', 'inet', 'mailjail', 'postfix_v4']);
    await waitFor(async () => (await status()).reply.problems.some((p) => p.kind === 'drift'), undefined, 200);
    const drift = (await status()).reply.problems.find((p) => p.kind === 'drift')!;
    expect(drift).toMatchObject({ jail: 'postfix', message: expect.stringMatching(/[1-9]\d* bans missing/) });
    expect(drift.hint).toMatch(/nft flush ruleset|firewall reload/);
    // reconcile put the ban back
    await waitFor(async () => (await h.nftElements()).has('192.0.2.72'));
  });

  it('exits 0 for one jail with nothing wrong', async () => {
    const r = await h.cli(['status', 'manual']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok: every action works');
  });

  it('redraws a compact live view with rates and the last bans (status --watch, top)', async () => {
    const r = await h.cli(['status', '--watch', '--interval', '300ms', '--count', '2']);
    expect(r.code).toBe(0);
    const frames = r.stdout.split(/\n(?=mailjail )/);
    expect(frames).toHaveLength(2);
    expect(frames[1]).toMatch(/JAIL\s+LINES\/S\s+EVENTS\/S\s+BANS\/S\s+ACTIVE\s+ACTION/);
    expect(frames[1]).toMatch(/\npostfix\s+\d+\.\d\s+\d+\.\d\s+\d+\.\d\s+\d+\s+nftables ok/);
    expect(frames[1]).toMatch(/\nbroken .* broken FAILING/);
    expect(frames[1]).toMatch(/last bans:\n(?:.*\n)*? {2}\d\d:\d\d:\d\dZ {2}postfix\s+192\.0\.2\.72\s+threshold/);
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    const top = await h.cli(['top', '--count', '1']);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('LINES/S');
  });
});
