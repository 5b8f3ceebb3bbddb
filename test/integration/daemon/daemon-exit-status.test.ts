/**
 * Failures of the environment at start get their documented exit status and say what to do,
 * instead of "internal error (a bug)" and exit 1, which systemd would turn into a crash loop
 * (issue 17 point 8). The YAML alias bomb is in test/unit/config/load-config.test.ts.
 */
import { closeSync, fstatSync, openSync, renameSync, rmdirSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { request } from '../../../src/control/client';
import { describeWithNetns } from '../../helpers/netns';
import { DaemonHarness, saslFailure, waitFor } from './daemon-harness';

/** Garbage over every page but the first: the header (and the schema) stay readable, the tables do not. */
function damagePages(file: string): void {
  const fd = openSync(file, 'r+');
  const size = fstatSync(fd).size;
  expect(size).toBeGreaterThan(4096 * 2);
  const junk = Buffer.alloc(size - 4096);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) & 255;
  writeSync(fd, junk, 0, junk.length, 4096);
  closeSync(fd);
}

describeWithNetns(['nft', 'setpriv'])('daemon exit statuses', () => {
  const h = new DaemonHarness();
  beforeAll(() => h.setup());
  afterAll(() => h.teardown());

  it('exits 5 naming a damaged database and what to do; moved aside, a new one takes over the kernel bans', async () => {
    await h.start();
    h.append(['a', 'b', 'c'].map((u) => saslFailure('192.0.2.40', u)));
    await waitFor(async () => (await h.nftElements()).has('192.0.2.40'));
    expect(await h.stop()).toBe(0);
    damagePages(h.database);

    h.launch();
    expect(await h.exitCode()).toBe(5);
    expect(h.output()).toContain(`database ${h.database} is damaged`);
    expect(h.output()).toContain('move the file aside');
    expect(h.output()).not.toContain('internal error');

    renameSync(h.database, `${h.database}.damaged`);
    await h.start();
    const bans = (await request(h.socket, { cmd: 'list' })) as Array<{ ip: string; jail: string }>;
    expect(bans.map((b) => `${b.jail} ${b.ip}`)).toEqual(['postfix 192.0.2.40']);
    // reconcile runs every second here: a ban the database did not know would be gone by now
    await new Promise((r) => setTimeout(r, 2500));
    expect((await h.nftElements()).has('192.0.2.40')).toBe(true);
    expect(await h.stop()).toBe(0);
  });

  it('exits 9 saying it needs root when started as an unprivileged user, whether its socket directory exists or not', async () => {
    for (const socketDir of ['root-owned', 'missing']) {
      if (socketDir === 'missing') rmdirSync(dirname(h.socket));
      h.launch({ asUser: '65534' });
      expect([socketDir, await h.exitCode()]).toEqual([socketDir, 9]);
      expect(h.output().split('\n').filter((l) => l.includes('needs root'))).toHaveLength(socketDir === 'missing' ? 2 : 1);
    }
    expect(h.output()).toMatch(/permission denied on .*: the daemon needs root/);
  });
});
